/*
 * bare.c — tether-bare, the benchmark's yardstick: a libfcgi responder that
 * answers every request with a fixed page of -b bytes and does nothing else.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>

int
main(int argc, char *argv[])
{
	FCGX_Request	 fr;
	const char	*sock = NULL;
	size_t		 bytes = 20000, i;
	int		 ch, workers = 2, fd;
	char		*page, head[128];

	while ((ch = getopt(argc, argv, "b:s:w:")) != -1) {
		switch (ch) {
		case 'b': bytes = strtoul(optarg, NULL, 10); break;
		case 's': sock = optarg; break;
		case 'w': workers = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (sock == NULL || bytes == 0 || workers < 1)
		goto usage;
	page = malloc(bytes);
	if (page == NULL)
		return 1;
	for (i = 0; i < bytes; i++)
		page[i] = (i % 64 == 63) ? '\n' : 'x';
	snprintf(head, sizeof(head), "Status: 200 OK\r\nContent-Type: text/html\r\n"
	    "Content-Length: %zu\r\n\r\n", bytes);
	FCGX_Init();
	unlink(sock);
	if ((fd = FCGX_OpenSocket(sock, 128)) < 0)
		return 1;
	chmod(sock, 0666);
	/* Same process model as tether-fcgi: prefork workers on one socket. */
	for (i = 1; i < (size_t)workers; i++)
		if (fork() == 0)
			break;
	FCGX_InitRequest(&fr, fd, 0);
	while (FCGX_Accept_r(&fr) == 0) {
		FCGX_PutStr(head, (int)strlen(head), fr.out);
		FCGX_PutStr(page, (int)bytes, fr.out);
		FCGX_Finish_r(&fr);
	}
	return 0;
usage:
	fprintf(stderr, "usage: tether-bare -s socket [-b bytes] [-w workers]\n");
	return 2;
}
