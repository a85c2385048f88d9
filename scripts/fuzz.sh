#!/usr/bin/env bash
# fuzz.sh: build and run the libFuzzer targets of tests/fuzz.
# Usage: scripts/fuzz.sh [--smoke | --time SECS] [--jobs N] [--build DIR] [TARGET...]
#   --smoke      (default) each target replays its seed corpus, then fuzzes
#                for 5 s (FUZZ_SMOKE_SECS) from it with a fixed random seed
#                (FUZZ_SMOKE_SEED, default 1), so that CI tries the same
#                inputs each time (a slower machine, fewer of them): what
#                CI runs; finding new inputs is the --time runs' job
#   --time SECS  each target fuzzes for SECS, growing a work corpus kept in
#                DIR/corpus/TARGET (seeded from tests/fuzz/corpus/TARGET)
#   --jobs N     targets run N at a time (default 1), each under nice -n 19
#   --build DIR  the fuzz build (default build-fuzz; configured when missing)
#   TARGET       names without "fuzz_" (default: VOLLEY_FUZZ_TARGETS of
#                tests/fuzz/CMakeLists.txt)
# Installs clang and libFuzzer when missing (scripts/deps.sh fuzz). A target
# that crashes, leaks, times out (10 s an input) or breaks an invariant
# fails the script; its input is saved as DIR/findings/TARGET/crash-*
# (replay it: DIR/fuzz_TARGET FILE). One line per target: runs, exec/s,
# coverage, corpus size.
set -euo pipefail

# Everything is in functions, read whole before anything runs: editing this
# file during a long run does not change the run.
# Run one target; its summary line on stdout, its log in $logs.
run_one() {
    local t=$1 bin=$root/$build/fuzz_$t seeds=$root/tests/fuzz/corpus/$t
    local log=$logs/$t.log dict=() work rc=0
    [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="$root/tests/fuzz/$t.dict")
    mkdir -p "$findings/$t"
    # the seeds must all pass as they are
    if ! "$bin" -runs=0 -artifact_prefix="$findings/$t/" "$seeds" >"$log" 2>&1; then
        echo "FAIL $t: a seed of tests/fuzz/corpus/$t fails (see $log)"
        return 1
    fi
    local seed=()
    if [ "$mode" = smoke ]; then
        work=$(mktemp -d)
        seed=(-seed="${FUZZ_SMOKE_SEED:-1}")
    else
        work=$root/$build/corpus/$t
        mkdir -p "$work"
    fi
    nice -n 19 "$bin" "${dict[@]}" "${seed[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/$t/" \
        "$work" "$seeds" >>"$log" 2>&1 || rc=$?
    [ "$mode" = smoke ] && rm -rf "$work"
    local runs eps cov corp
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ "$rc" -ne 0 ]; then
        echo "FAIL $t: status $rc after ${runs:-?} runs; input in $findings/$t/ (see $log)"
        grep -m3 -E 'invariant failed|ERROR: |runtime error' "$log" | sed 's/^/  /'
        return 1
    fi
    printf 'ok   %-14s %4ss  runs %-10s exec/s %-7s cov %-5s corpus %s\n' "$t" "$secs" \
        "${runs:-?}" "${eps:-?}" "${cov:-?}" "${corp:-?}"
}

main() {
    cd "$(dirname "$0")/.."

    mode=smoke secs=${FUZZ_SMOKE_SECS:-5} jobs=1 build=build-fuzz
    targets=()
    while [ $# -gt 0 ]; do
        case "$1" in
        --smoke) mode=smoke ;;
        --time) mode=long secs=$2; shift ;;
        --jobs) jobs=$2; shift ;;
        --build) build=$2; shift ;;
        -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
        *) targets+=("${1#fuzz_}") ;;
        esac
        shift
    done
    if [ ${#targets[@]} -eq 0 ]; then
        # the one list: VOLLEY_FUZZ_TARGETS in tests/fuzz/CMakeLists.txt
        mapfile -t targets < <(sed -n '/^set(VOLLEY_FUZZ_TARGETS/,/)/p' tests/fuzz/CMakeLists.txt |
            sed 's/set(VOLLEY_FUZZ_TARGETS//; s/)//' | tr -s ' ' '\n' | grep .)
    fi

    scripts/deps.sh fuzz
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DVOLLEY_FUZZ=ON -DVOLLEY_TESTS=OFF \
            -DVOLLEY_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
    export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
    root=$PWD
    findings=$root/$build/findings
    logs=$root/$build/logs
    mkdir -p "$findings" "$logs"

    status=0
    running=0
    for t in "${targets[@]}"; do
        if [ "$jobs" -le 1 ]; then
            run_one "$t" || status=1
            continue
        fi
        run_one "$t" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait -n || status=1
            running=$((running - 1))
        fi
    done
    while [ "$running" -gt 0 ]; do
        wait -n || status=1
        running=$((running - 1))
    done
    exit "$status"
}

main "$@"
exit
