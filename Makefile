# cvision - the one entry point: deps, all, test, check, bench, demo, install.
# Core C sources (csrc/*.c) build libcvision with no Lua; csrc/bind/*.c are the Lua bindings;
# csrc/simd/*_avx2.c get -mavx2 -mfma and are only called after runtime CPU detection.

CC       ?= cc
LUA      ?= lua5.4
LUA_INC  ?= /usr/include/lua5.4
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
CVFLAGS   = -std=c11 -Wall -Wextra -fPIC -D_GNU_SOURCE -Icsrc -I/usr/include/stb -pthread
LIBS      = -lopenblas -lpng -lz -lstb -lm -pthread
LUALIB   ?= -llua5.4
BUILD    ?= build

CORE_SRC  = $(wildcard csrc/*.c)
SIMD_SRC  = $(wildcard csrc/simd/*.c)
BIND_SRC  = $(wildcard csrc/bind/*.c)
REPL_SRC  = $(wildcard csrc/repl/*.c)
CTEST_SRC = $(wildcard csrc/tests/test_*.c)
HDRS      = $(wildcard csrc/*.h csrc/bind/*.h csrc/simd/*.h csrc/repl/*.h csrc/tests/*.h)

CORE_OBJ  = $(CORE_SRC:csrc/%.c=$(BUILD)/%.o) $(SIMD_SRC:csrc/%.c=$(BUILD)/%.o)
BIND_OBJ  = $(BIND_SRC:csrc/%.c=$(BUILD)/%.o)
REPL_OBJ  = $(REPL_SRC:csrc/%.c=$(BUILD)/%.o)
CTEST_BIN = $(CTEST_SRC:csrc/tests/%.c=$(BUILD)/tests/%)

LIBCV     = $(BUILD)/libcvision.a
CORE_SO   = lua/cvision/core.so
REPL_BIN  = bin/cvision

.PHONY: all deps test ctest spec check bench demo data install clean
all: $(LIBCV) $(CORE_SO) $(REPL_BIN) $(CTEST_BIN)

$(BUILD)/%.o: csrc/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CVFLAGS) -I$(LUA_INC) -c $< -o $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

$(BUILD)/simd/%_avx2.o: csrc/simd/%_avx2.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CVFLAGS) -mavx2 -mfma -c $< -o $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

$(LIBCV): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@.$$$$.tmp && ar rcs $@.$$$$.tmp $^ && mv -f $@.$$$$.tmp $@

$(CORE_SO): $(BIND_OBJ) $(LIBCV)
	$(CC) $(CFLAGS) -shared -o $@.$$$$.tmp $(BIND_OBJ) $(LIBCV) $(LIBS) $(LDFLAGS) && mv -f $@.$$$$.tmp $@

$(REPL_BIN): $(REPL_OBJ) $(BIND_OBJ) $(LIBCV)
	@mkdir -p bin
	$(CC) $(CFLAGS) -o $@.$$$$.tmp $(REPL_OBJ) $(BIND_OBJ) $(LIBCV) $(LUALIB) -ledit $(LIBS) -ldl $(LDFLAGS) -Wl,-E && mv -f $@.$$$$.tmp $@

$(BUILD)/tests/%: csrc/tests/%.c $(LIBCV) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CVFLAGS) -o $@.$$$$.tmp $< $(LIBCV) $(LIBS) $(LDFLAGS) && mv -f $@.$$$$.tmp $@

deps:
	@sh tools/deps.sh

ctest: $(CTEST_BIN)
	@sh tools/run_ctests.sh $(CTEST_BIN)

spec: $(CORE_SO) $(REPL_BIN)
	@sh tools/run_specs.sh

test: deps
	@$(MAKE) --no-print-directory all
	@sh tools/test.sh $(CTEST_BIN)

clean:
	rm -rf $(BUILD) $(CORE_SO) $(REPL_BIN)
