# cvision - the one entry point: deps, all, test, check, bench, demo, data, install.
# Core C sources (csrc/**/*.c outside bind/, repl/, tests/) build libcvision with no Lua;
# csrc/bind/*.c are the Lua bindings, csrc/repl/*.c the REPL, csrc/tests/test_*.c the C tests.
# A file named *_avx2.c (anywhere in csrc/) gets -mavx2 -mfma and is only reached through the
# dispatch table filled once from CPU detection; *_avx512.c would get the AVX-512 flags.
# Sources are globbed recursively: a new .c file (or a new area folder) needs no edit here. `make BUILD=build-foo` keeps objects
# apart; every output is written to a temp name and renamed, so parallel builds never collide.

CC       ?= cc
LUA      ?= lua5.4
LUA_INC  ?= /usr/include/lua5.4
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
# libhdf5 (io/hdf5.c, the Keras weight reader): pkg-config's flags, else Debian's serial build
HDF5_CFLAGS := $(or $(shell pkg-config --cflags hdf5 2>/dev/null),-I/usr/include/hdf5/serial)
HDF5_LIBS   := $(or $(shell pkg-config --libs hdf5 2>/dev/null),-lhdf5_serial)
# stb's headers (Debian's libstb-dev); the rockspec passes its STB_INCDIR
STB_INC  ?= /usr/include/stb
CVFLAGS   = -std=c11 -Wall -Wextra -fPIC -D_GNU_SOURCE -Icsrc -I$(STB_INC) $(HDF5_CFLAGS) -pthread
LIBS      = -lopenblas -lpng $(HDF5_LIBS) -lz -lstb -lm -pthread
LUALIB   ?= -llua5.4
# libzmq: only bin/cvision links it (the Jupyter kernel lives with the REPL; libcvision and
# core.so never depend on it)
ZMQ_LIBS := $(or $(shell pkg-config --libs libzmq 2>/dev/null),-lzmq)
BUILD    ?= build

# every .c/.h under csrc/ (sorted, so the archive and link order are stable)
ALL_SRC   = $(sort $(shell find csrc -name '*.c'))
BIND_SRC  = $(filter csrc/bind/%,$(ALL_SRC))
REPL_SRC  = $(filter csrc/repl/%,$(ALL_SRC))
CTEST_SRC = $(filter csrc/tests/test_%,$(ALL_SRC))
CORE_SRC  = $(filter-out csrc/bind/% csrc/repl/% csrc/tests/% csrc/mpi/%,$(ALL_SRC))
HDRS      = $(sort $(shell find csrc -name '*.h'))

CORE_OBJ  = $(CORE_SRC:csrc/%.c=$(BUILD)/%.o)
# ar keeps members by base name: two core files called the same would silently replace each other
DUP_BASE  = $(shell printf '%s\n' $(notdir $(CORE_SRC)) | sort | uniq -d)
$(if $(DUP_BASE),$(error core sources share a base name (ar would drop one): $(DUP_BASE)))
BIND_OBJ  = $(BIND_SRC:csrc/%.c=$(BUILD)/%.o)
REPL_OBJ  = $(REPL_SRC:csrc/%.c=$(BUILD)/%.o)
CTEST_BIN = $(CTEST_SRC:csrc/tests/%.c=$(BUILD)/tests/%)

LIBCV     = $(BUILD)/libcvision.a
CORE_SO   = lua/cvision/core.so
REPL_BIN  = bin/cvision

# install locations (luarocks passes its own; `make install` alone uses /usr/local)
PREFIX      ?= /usr/local
INST_LUADIR ?= $(PREFIX)/share/lua/5.4
INST_LIBDIR ?= $(PREFIX)/lib/lua/5.4
INST_BINDIR ?= $(PREFIX)/bin

# make check: everything instrumented, into its own folder and binary (bin/cvision-asan)
ASAN_BUILD  = build-asan
ASAN_CFLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
ASAN_CTESTS = $(CTEST_SRC:csrc/tests/%.c=$(ASAN_BUILD)/tests/%)

.PHONY: gallery all deps test ctest spec check warnings bench fuzz demo data notebooks pretrained install install-files uninstall rock install-rock dist docs clean
# cv.distributed's MPI binding (csrc/mpi/l_mpi.c): a module of its own, built with Open MPI's
# mpicc only where it is installed (`make deps` installs openmpi-bin and libopenmpi-dev), so that
# core.so never depends on MPI and cvision builds and works without it
MPICC  ?= $(shell command -v mpicc 2>/dev/null)
MPI_SO  = $(if $(MPICC),lua/cvision/mpi.so)
all: $(LIBCV) $(CORE_SO) $(REPL_BIN) $(CTEST_BIN) $(MPI_SO)

lua/cvision/mpi.so: csrc/mpi/l_mpi.c
	OMPI_CC=$(CC) $(MPICC) $(CFLAGS) -std=c11 -Wall -Wextra -fPIC -D_GNU_SOURCE -I$(LUA_INC) -shared -Wl,-z,nodelete \
	  -o $@.$$$$.tmp $< -ldl && mv -f $@.$$$$.tmp $@

$(BUILD)/%.o: csrc/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CVFLAGS) -I$(LUA_INC) -c $< -o $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

# the SIMD name rule (GNU make prefers the pattern with the shorter stem, so these win over %.o)
$(BUILD)/%_avx2.o: csrc/%_avx2.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CVFLAGS) -mavx2 -mfma -c $< -o $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

$(BUILD)/%_avx512.o: csrc/%_avx512.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CVFLAGS) -mavx512f -mavx512bw -mavx512vl -mavx512dq -mfma -c $< -o $@.$$$$.tmp && mv -f $@.$$$$.tmp $@

$(LIBCV): $(CORE_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@.$$$$.tmp && ar rcs $@.$$$$.tmp $^ && mv -f $@.$$$$.tmp $@

# -z nodelete: lua_close dlcloses core.so, but the pool's worker threads may still be spinning in
# its code (they live until the process exits); unmapping it under them crashed at exit
$(CORE_SO): $(BIND_OBJ) $(LIBCV)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,-z,nodelete -o $@.$$$$.tmp $(BIND_OBJ) $(LIBCV) $(LDFLAGS) $(LIBS) && mv -f $@.$$$$.tmp $@

$(REPL_BIN): $(REPL_OBJ) $(BIND_OBJ) $(LIBCV)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@.$$$$.tmp $(REPL_OBJ) $(BIND_OBJ) $(LIBCV) $(LDFLAGS) $(LUALIB) -ledit $(ZMQ_LIBS) $(LIBS) -ldl -Wl,-E && mv -f $@.$$$$.tmp $@

$(BUILD)/tests/%: csrc/tests/%.c $(LIBCV) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(CPPFLAGS) $(CVFLAGS) -o $@.$$$$.tmp $< $(LIBCV) $(LDFLAGS) $(LIBS) && mv -f $@.$$$$.tmp $@

# Debian packages (idempotent, silent when all are there)
deps:
	@sh tools/deps.sh

# C unit tests only / busted specs only (SPEC=spec/foo_spec.lua for one file)
ctest: $(CTEST_BIN)
	@sh tools/test.sh --no-busted $(CTEST_BIN)

spec: $(CORE_SO) $(REPL_BIN)
	@sh tools/test.sh

# C unit tests + every spec; the last line is "tests: N passed, N failed"
test: deps
	@$(MAKE) --no-print-directory all
	@sh tools/test.sh $(CTEST_BIN)

# the same suite under AddressSanitizer + UBSan (+ LeakSanitizer): the busted specs run inside
# bin/cvision-asan, so the statically linked core is instrumented too (see tools/check.sh)
check: deps warnings
	@$(MAKE) -s --no-print-directory BUILD=$(ASAN_BUILD) CFLAGS="$(ASAN_CFLAGS)" REPL_BIN=bin/cvision-asan \
	  $(ASAN_BUILD)/libcvision.a bin/cvision-asan $(ASAN_CTESTS)
	@$(MAKE) --no-print-directory all
	@sh tools/check.sh $(ASAN_CTESTS)

# -Wall -Wextra must stay clean: everything compiled once more with -Werror (incremental)
WARN_BUILD = build-warn
warnings:
	@$(MAKE) -s --no-print-directory BUILD=$(WARN_BUILD) CFLAGS="$(OPT) -Werror" CORE_SO=$(WARN_BUILD)/core.so \
	  REPL_BIN=$(WARN_BUILD)/cvision $(WARN_BUILD)/core.so $(WARN_BUILD)/cvision \
	  $(CTEST_SRC:csrc/tests/%.c=$(WARN_BUILD)/tests/%) && echo "warnings: -Wall -Wextra clean"

demo: deps
	@$(MAKE) --no-print-directory all
	$(REPL_BIN) examples/chinese_characters.lua
	$(REPL_BIN) examples/error_analysis.lua

# cvision's pretrained base (cv.applications.MobileNetV2{weights = "hanzi"}): hours on 2 cores;
# it resumes from pretrained/checkpoint.safetensors when stopped
pretrained: deps
	@$(MAKE) --no-print-directory all
	$(REPL_BIN) examples/pretrain_hanzi.lua

data: deps
	@$(MAKE) --no-print-directory all
	$(REPL_BIN) examples/make_data.lua

# the lecture's notebooks: each notebooks/NN-name.ipynb rebuilt from its .lua and executed through
# the cvision kernel, saved with its outputs (tools/notebooks.py; make test checks them)
notebooks: deps
	@$(MAKE) --no-print-directory all
	/usr/bin/python3 tools/notebooks.py build notebooks/*.lua

# make fuzz [FUZZ_S=60]: the libFuzzer harnesses of fuzz/ (every decoder and loader), built with
# clang under ASan+UBSan into build-fuzz/, each run FUZZ_S seconds from its seed corpus
# (fuzz/corpus/<name>); findings land in build-fuzz/findings/ (tools/fuzz.sh says what to do)
FUZZ_S      ?= 60
FUZZ_BUILD   = build-fuzz
FUZZ_CC     ?= clang-14
FUZZ_CFLAGS  = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
FUZZ_NAMES   = image idx hdf5 loaders
FUZZ_BINS    = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
fuzz:
	@sh tools/deps.sh fuzz
	@$(MAKE) -s --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" \
	  $(FUZZ_BUILD)/libcvision.a $(BIND_SRC:csrc/%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BINS)
	@sh tools/fuzz.sh $(FUZZ_S) $(FUZZ_NAMES)

$(FUZZ_BUILD)/fuzz_loaders: fuzz/fuzz_loaders.c fuzz/fuzz_file.h $(FUZZ_BUILD)/libcvision.a $(BIND_SRC:csrc/%.c=$(FUZZ_BUILD)/%.o)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CVFLAGS) -I$(LUA_INC) -o $@ $< \
	  $(BIND_SRC:csrc/%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/libcvision.a $(LUALIB) $(LIBS)
$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.h $(FUZZ_BUILD)/libcvision.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CVFLAGS) -o $@ $< $(FUZZ_BUILD)/libcvision.a $(LIBS)

# make docs [DOCS_DIR=docs/api]: the API reference, LDoc over the doc comments of lua/cvision/
# (tools/ldoc_src.lua rewrites them into LDoc items in a temp folder; docs/config.ld). No build needed.
DOCS_DIR ?= docs/api
docs: deps
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  $(LUA) tools/ldoc_src.lua lua/cvision "$$tmp/src" && ldoc -c docs/config.ld -d "$(DOCS_DIR)" "$$tmp/src"

# the plot gallery: one PNG per pyplot function and colour map, with an index page
GALLERY_DIR ?= docs/gallery
gallery: all
	$(LUA) examples/gallery.lua $(GALLERY_DIR)

bench:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	sh bench/run.sh

# Installation. `luarocks make` builds with `make rock` (into $(BUILD)/rock, leaving the tree's
# lua/cvision/core.so and bin/cvision alone) and installs with `make install-rock`.
ROCK_DIR = $(BUILD)/rock

rock:
	@$(MAKE) --no-print-directory CORE_SO=$(ROCK_DIR)/core.so REPL_BIN=$(ROCK_DIR)/cvision \
	  $(ROCK_DIR)/core.so $(ROCK_DIR)/cvision

install-rock: rock
	@$(MAKE) --no-print-directory install-files SO=$(ROCK_DIR)/core.so BIN=$(ROCK_DIR)/cvision

install: $(CORE_SO) $(REPL_BIN)
	@$(MAKE) --no-print-directory install-files SO=$(CORE_SO) BIN=$(REPL_BIN)

install-files:
	@test -n "$(SO)" && test -n "$(BIN)" || { echo "install-files: SO= and BIN= are needed"; exit 1; }
	mkdir -p "$(INST_LUADIR)/cvision" "$(INST_LIBDIR)/cvision" "$(INST_BINDIR)"
	@# files of older versions that would shadow today's folders (cvision/plot.lua before plot/init.lua)
	rm -f "$(INST_LUADIR)/cvision/plot.lua" "$(INST_LUADIR)/cvision/models.lua" "$(INST_LUADIR)/cvision/functional.lua"
	cd lua && find cvision -name '*.lua' | while read -r f; do \
	  mkdir -p "$(INST_LUADIR)/$$(dirname "$$f")" && cp -f "$$f" "$(INST_LUADIR)/$$f" || exit 1; done
	cp -f third_party/hanzi-writer-data/medians.lua "$(INST_LUADIR)/cvision/datasets/hanzi_medians.lua"
	cp -f third_party/hanzi-writer-data/ARPHICPL.TXT "$(INST_LUADIR)/cvision/datasets/hanzi_medians.ARPHICPL.TXT"
	mkdir -p "$(INST_LUADIR)/cvision/applications/hanzi"
	cp -f third_party/cc-cedict/glosses.lua "$(INST_LUADIR)/cvision/applications/cc_cedict_glosses.lua"
	cp -f third_party/cc-cedict/LICENSE.txt "$(INST_LUADIR)/cvision/applications/cc_cedict_glosses.LICENSE.txt"
	for f in lua/cvision/applications/hanzi/*.safetensors lua/cvision/applications/hanzi/*.json; do \
	  test -f "$$f" && cp -f "$$f" "$(INST_LUADIR)/cvision/applications/hanzi/" || true; done
	cp -f "$(SO)" "$(INST_LIBDIR)/cvision/core.so"
	if test -f lua/cvision/mpi.so; then cp -f lua/cvision/mpi.so "$(INST_LIBDIR)/cvision/mpi.so"; fi
	cp -f "$(BIN)" "$(INST_BINDIR)/cvision"

# make dist: the release tarball the rockspec's source names (file://dist/cvision-scm-1.tar.gz,
# relative: `luarocks install cvision-scm-1.rockspec` from the checkout) — the tracked files the
# rock builds, installs and tests, as they are in the work tree, under cvision-scm-1/ — and
# dist/cvision-scm-1.rockspec, the same rockspec with that path made absolute, which luarocks can
# fetch from anywhere: `luarocks pack dist/cvision-scm-1.rockspec` --> cvision-scm-1.src.rock.
DIST_NAME  = cvision-scm-1
DIST_FILES = Makefile LICENSE README.md cvision-scm-1.rockspec .busted .luacheckrc csrc lua third_party spec tools
dist:
	@mkdir -p dist
	git ls-files -z -- $(DIST_FILES) | tar --null -T - --transform 's,^,$(DIST_NAME)/,' -czf dist/$(DIST_NAME).tar.gz.$$$$.tmp \
	  && mv -f dist/$(DIST_NAME).tar.gz.$$$$.tmp dist/$(DIST_NAME).tar.gz
	sed 's|"file://dist/|"file://$(CURDIR)/dist/|' $(DIST_NAME).rockspec > dist/$(DIST_NAME).rockspec.$$$$.tmp \
	  && mv -f dist/$(DIST_NAME).rockspec.$$$$.tmp dist/$(DIST_NAME).rockspec

# removes what `make install` put there (same PREFIX / INST_* variables), nothing else
uninstall:
	rm -rf "$(INST_LUADIR)/cvision" "$(INST_LIBDIR)/cvision"
	rm -f "$(INST_BINDIR)/cvision"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(WARN_BUILD) $(CORE_SO) $(REPL_BIN) bin/cvision-asan lua/cvision/mpi.so
