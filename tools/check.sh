#!/bin/sh
# tools/check.sh ASAN_CTEST_BIN... - `make check`: the C unit tests built with
# AddressSanitizer+UBSan, and every busted spec run inside bin/cvision-asan (the REPL binary
# with the instrumented core linked in, standing in for lua5.4), LeakSanitizer on at exit.
# Specs that start bin/cvision themselves get bin/cvision-asan too ($CVISION_BIN).
# Leaks are suppressed only inside uninstrumented system libraries: tools/lsan.supp.
cd "$(dirname "$0")/.." || exit 2
echo "check: AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer"
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0:strict_string_checks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
CVISION_BIN=bin/cvision-asan
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS CVISION_BIN
# the specs must really run on the instrumented core (statically linked, preloaded)
if ! bin/cvision-asan -e 'assert(require("cvision.core").sys.info().asan)' 2>&1; then
  echo "check: bin/cvision-asan does not run an instrumented core"
  echo "tests: 0 passed, 1 failed"; exit 1
fi
if sh tools/test.sh --lua bin/cvision-asan "$@"; then
  echo "check: clean"
else
  echo "check: FAILED (see the reports above)"
  exit 1
fi
