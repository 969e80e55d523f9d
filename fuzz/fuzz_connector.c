/*
 * fuzz_connector.c — libFuzzer harness over the connector-definition
 * loader: the input is written as the only file of a scratch connectors
 * folder and catalog_load reads it (cdef_read checks it), as
 * tests/unit/test_catalog.c does. A refused file must say why and leave
 * nothing loaded; an accepted one is one connector.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tether.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	 fuzz_dir[4096];
static char	 fuzz_file[4200];

static void
fuzz_cleanup(void)
{
	unlink(fuzz_file);
	rmdir(fuzz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp = getenv("TMPDIR");

	(void)argc, (void)argv;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/tether-fuzz-connector-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(fuzz_file, sizeof(fuzz_file), "%s/fuzz.hdf", fuzz_dir);
	atexit(fuzz_cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog	 c;
	FILE		*f;
	char		 err[1024];
	int		 rc;

	if ((f = fopen(fuzz_file, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	err[0] = '\0';
	rc = catalog_load(&c, fuzz_dir, err, sizeof(err));
	if (rc == -1) {
		if (err[0] == '\0' || c.hdf != NULL || c.nkeys != 0)
			abort();
	} else {
		if (rc != 0 || c.nkeys != 1 || strcmp(c.keys[0], "fuzz") != 0)
			abort();
		catalog_free(&c);
	}
	return 0;
}
