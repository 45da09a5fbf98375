#!/bin/sh
# tools/test.sh CTEST_BIN... - runs the C unit tests and the busted specs, then prints the one
# closing line "tests: N passed, N failed" and exits non-zero when anything failed.
cd "$(dirname "$0")/.." || exit 2
passed=0; failed=0
for t in "$@"; do
  out=$("$t" 2>&1); rc=$?
  printf '%s\n' "$out" | grep -v '^ctest ' | head -n 40
  line=$(printf '%s\n' "$out" | grep '^ctest ' | tail -n 1)
  echo "${line:-ctest $t: crashed (exit $rc)}"
  p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
  f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ -z "$line" ] || [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); fi
done
tap=$(mktemp)
busted --lua=lua5.4 -o TAP "${SPEC:-spec}" > "$tap" 2>&1
grep -E '^not ok' -A 12 "$tap" | head -n 200
p=$(grep -cE '^ok ' "$tap"); f=$(grep -cE '^not ok ' "$tap")
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
  echo "busted ran no test:"; tail -n 20 "$tap"; f=1
fi
echo "busted: $p passed, $f failed"
rm -f "$tap"
passed=$((passed + p)); failed=$((failed + f))
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
