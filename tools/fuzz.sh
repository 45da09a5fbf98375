#!/bin/sh
# tools/fuzz.sh SECONDS NAME... - runs each libFuzzer harness build-fuzz/fuzz_<NAME> for SECONDS
# from its seed corpus fuzz/corpus/<NAME> (read only) and a working corpus in build-fuzz/corpus/,
# and prints one line per harness: executions, corpus size, findings. A finding (crash, leak,
# sanitizer report, timeout, out-of-memory) is saved as build-fuzz/findings/<NAME>-*: copy it
# into fuzz/regressions/<NAME>/ once fixed; `make test` replays those (test_fuzz_replay,
# spec/fuzz_replay_spec.lua). Exits non-zero when any harness found something.
secs=$1; shift
mkdir -p build-fuzz/findings
status=0
for name in "$@"; do
  bin=build-fuzz/fuzz_$name
  work=build-fuzz/corpus/$name
  mkdir -p "$work" "fuzz/corpus/$name"
  log=build-fuzz/fuzz_$name.log
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1:fast_unwind_on_malloc=0 UBSAN_OPTIONS=print_stacktrace=1 \
    LSAN_OPTIONS="suppressions=$(pwd)/tools/lsan.supp:print_suppressions=0" \
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/findings/$name-" "$work" "fuzz/corpus/$name" > "$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(ls build-fuzz/findings 2>/dev/null | grep -c "^$name-")
  echo "fuzz $name: ${execs:-?} executions in ${secs} s, corpus $(ls "$work" | wc -l) inputs, $found findings (rc $rc, log $log)"
  [ "$rc" -ne 0 ] || [ "$found" -ne 0 ] && status=1
done
exit $status
