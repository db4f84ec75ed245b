#!/usr/bin/env bash
# Runs every libFuzzer target of ttur-fuzz for SECONDS each, JOBS at a time, and prints one
# summary line per target (executions, corpus size, peak RSS, outcome). Used by
# `make fuzz-libfuzzer`; crashes are written to .build-fuzz/crashes/TARGET/.
set -euo pipefail
binary=$1; seconds=$2; jobs=$3; shift 3
root=.build-fuzz
run_one() {
    local target=$1
    mkdir -p "$root/corpus/$target" "$root/crashes/$target"
    local status=0 leaks=1
    # FUZZ_NO_LEAK_TARGETS: targets to run without leak detection (none by default).
    case " ${FUZZ_NO_LEAK_TARGETS:-} " in *" $target "*) leaks=0 ;; esac
    ASAN_OPTIONS=detect_leaks=$leaks TTUR_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=$leaks \
        -print_final_stats=1 -artifact_prefix="$root/crashes/$target/" \
        "$root/corpus/$target" "$root/seeds/$target" > "$root/$target.log" 2>&1 || status=$?
    local runs rss
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$root/$target.log" | grep -o '[0-9]*$' || echo "?")
    rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$root/$target.log" | grep -o '[0-9]*$' || echo "?")
    local files; files=$(ls "$root/corpus/$target" | wc -l)
    if [ "$status" -eq 0 ] && [ "$leaks" -eq 1 ]; then outcome="no crash, hang or leak"
    elif [ "$status" -eq 0 ]; then outcome="no crash or hang; memory bounded (leak detection off)"; else outcome="FAILED (status $status, see $root/$target.log)"; fi
    printf '%-12s %10s executions  %6s corpus files  peak RSS %5s MB  %s\n' "$target" "$runs" "$files" "$rss" "$outcome"
    [ "$status" -eq 0 ]
}
export -f run_one
export binary seconds root
# A crash must end the run at once, with libFuzzer's report, not wait on Swift's backtracer.
export SWIFT_BACKTRACE=enable=no
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one {}'
