#!/bin/sh
# tools/test.sh [--no-busted] [--lua LUA] CTEST_BIN... - runs the C unit tests and the busted
# specs (all of spec/, or $SPEC), then prints the one closing line "tests: N passed, N failed"
# and exits non-zero when anything failed.
# Counted as a failure too: a C test or busted that crashes or exits non-zero without reporting
# a failure, busted running no test at all or stopping before its TAP plan line ("1..N"), and
# any sanitizer report in the output.
cd "$(dirname "$0")/.." || exit 2
busted_on=1
lua=${CV_LUA:-lua5.4}
while [ $# -gt 0 ]; do
  case "$1" in
    --no-busted) busted_on=0; shift ;;
    --lua) lua=$2; shift 2 ;;
    *) break ;;
  esac
done

passed=0; failed=0
sanitizer_re='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer'

for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -v '^ctest ' | head -n 40
  line=$(printf '%s\n' "$out" | grep '^ctest ' | tail -n 1)
  echo "${line:-ctest $t: crashed (exit $rc)}"
  p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
  f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
  p=${p:-0}; f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "ctest $t: exit status $rc without a reported failure"; f=1
  fi
  if printf '%s\n' "$out" | grep -qE "$sanitizer_re"; then
    echo "ctest $t: sanitizer report above"; f=$((f + 1))
  fi
  passed=$((passed + p)); failed=$((failed + f))
done

if [ "$busted_on" -eq 1 ]; then
  tap=$(mktemp)
  busted --lua="$lua" -o TAP ${SPEC:-spec} > "$tap" 2>&1; rc=$?
  grep -E '^not ok' -A 12 "$tap" | head -n 200
  p=$(grep -cE '^ok ' "$tap"); f=$(grep -cE '^not ok ' "$tap")
  plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$tap" | tail -n 1)
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    echo "busted ran no test:"; tail -n 20 "$tap"; f=1
  elif [ -z "$plan" ] || [ "$plan" -ne $((p + f)) ]; then
    # TAP's closing "1..N" is missing or short: busted died (crash, os.exit) part-way
    echo "busted stopped before the end of its plan (${plan:-no plan line}, $((p + f)) reported):"
    tail -n 20 "$tap"; f=$((f + 1))
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "busted exited with status $rc without a reported failure:"; tail -n 20 "$tap"; f=1
  fi
  if grep -qE "$sanitizer_re" "$tap"; then
    echo "busted: sanitizer report:"; grep -E -B2 -A25 "$sanitizer_re" "$tap" | head -n 120
    f=$((f + 1))
  fi
  echo "busted: $p passed, $f failed"
  rm -f "$tap"
  passed=$((passed + p)); failed=$((failed + f))
fi

echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
