# fuzz/fuzz.mk — the libFuzzer build. `make fuzz` calls it with the
# configured flags: clang compiles every source of libtether again, with
# ASan and UBSan and libFuzzer's coverage, into $(O) (the normal build's
# objects are not touched), and links each fuzz/<name>.c against them.
#
#   make fuzz [FUZZ_BUILD=dir] [FUZZ_CC=clang]
#
# Needs clang and libFuzzer (Debian: clang libclang-rt-dev). GNU make.

SAN	= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	  -fno-omit-frame-pointer
FCFLAGS	= -g -O1 -std=c11 $(WARN) $(SAN)
OBJS	= $(LIBSRCS:%.c=$(O)/%.o)
LIB	= $(O)/libtether-fuzz.a

all: $(FUZZERS:%=$(O)/%)

$(O)/%.o: $(SRCDIR)/%.c
	@mkdir -p $(@D)
	@echo "  CC (fuzz) $<"
	@$(CC) $(CPPFLAGS) $(FCFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(LIB): $(OBJS)
	@rm -f $@
	@ar rcs $@ $(OBJS)

$(O)/fuzz_%: $(SRCDIR)/fuzz/fuzz_%.c $(LIB)
	@echo "  CCLD (fuzz) $@"
	@$(CC) $(CPPFLAGS) $(FCFLAGS) -fsanitize=fuzzer $< $(LIB) $(LIBS) -o $@

-include $(OBJS:.o=.d)

.PHONY: all
