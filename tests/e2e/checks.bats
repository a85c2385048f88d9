#!/usr/bin/env bats
# checks.bats: expectations (--expect-*, a spec's "expect"), failure
# thresholds (--max-fail-ratio, --allow-timeouts), bodies, headers, hashes
# and --output-dir in records.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

@test "--expect-status replaces 2xx/3xx: a listed 404 passes, an unlisted 200 is a check failure" {
    run v -q --json --expect-status 200,404 --url "$BASE/status/404"
    [ "$status" -eq 0 ]
    jq -e '.ok and .error == null' <<<"$output"
    run v -q --json --expect-status 204,300-399 --url "$BASE/ok"
    [ "$status" -eq 1 ]
    jq -e '.error.kind == "check" and .checks == [{"check":"status","expected":"204,300-399","actual":"200"}]' <<<"$output"
    run v -q --expect-status 2xx --url "$BASE/ok"
    [ "$status" -eq 0 ]
    run v -q --expect-status 99x --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

@test "--expect-status takes HTTP's codes only, 100 to 599: 600 is a usage error naming the option" {
    for bad in 600 099 999 200,600 500-600 6xx; do
        run v -q --expect-status "$bad" --url "$BASE/ok"
        [ "$status" -eq 2 ]
        [[ "$output" == *"--expect-status"* ]]
        [[ "$output" == *"100 to 599"* ]]
    done
    stats_reset
    run v -q --expect-status 600 --url "$BASE/ok"
    [[ "$output" == *"--expect-status: 600 is not an HTTP status code (100 to 599)"* ]]
    [ "$(stats requests)" -eq 0 ] # refused before anything was fetched
    run v -q --expect-status 100-599 --url "$BASE/ok"
    [ "$status" -eq 0 ]
}

@test "the text line shows a failed check's expected and actual values" {
    run v -q --expect-status 200 --url "$BASE/status/503"
    [ "$status" -eq 1 ]
    [[ "$output" =~ ^"503 "[0-9.]+" 11 $BASE/status/503 check: status 200 != 503"$ ]]
    run v -q --expect-status 200 --expect-header 'Content-Type: json' --expect-header 'X-Missing:' \
        --url "$BASE/status/503"
    [[ "$output" == *" check: status 200 != 503; header Content-Type: json != text/plain; header X-Missing: != (absent)" ]]
    # the record's message still names them; the JSON carries the values
    run v -q --json --expect-status 200 --url "$BASE/status/503"
    jq -e '.error.message == "failed check: status"' <<<"$output"
}

@test "--expect-header, --expect-body, --expect-body-contains" {
    run v -q --json --expect-header 'Content-Type: ^text/plain$' --expect-body '^o.$' --expect-body-contains 'ok' --url "$BASE/ok"
    [ "$status" -eq 0 ]
    run v -q --json --expect-header 'Content-Type: ^application/json' --expect-header 'X-Missing: .' \
        --expect-body '^nope' --expect-body-contains 'zzz' --url "$BASE/ok"
    [ "$status" -eq 1 ]
    jq -e '.error.kind == "check" and (.checks | map(.check)) == ["header","header","body","body-contains"]' <<<"$output"
    jq -e '.checks[1].actual == "(absent)"' <<<"$output"
    run v -q --expect-body '(' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--expect-body"* ]]
}

@test "--expect-jq holds when the program's last output is truthy (jq -e)" {
    run v -q --json --expect-jq '.version == "1.2"' --url "$BASE/json"
    [ "$status" -eq 0 ]
    enc=$(jq -rn '"{\"version\":\"1.1\"}" | @uri')
    run v -q --json --expect-jq '.version == "1.2"' --url "$BASE/json?body=$enc"
    [ "$status" -eq 1 ]
    jq -e '.checks[0].check == "jq" and .checks[0].actual == "false"' <<<"$output"
    run v -q --json --expect-jq '.' --url "$BASE/ok"
    jq -e '.checks[0].actual | startswith("body is not JSON")' <<<"$output"
    run v -q --expect-jq '.[' --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

requests_are() { [ "$(stats requests)" = "$1" ]; }

# vt ARGS...: v, killed after 120 s (a frozen loop fails the test, not the suite)
vt() {
    # shellcheck disable=SC2086
    timeout -s KILL 120 ${VOLLEY_WRAPPER:-} "$VOLLEY" "$@"
}

# exited_within SECS PID: the background PID ends within SECS (its status in
# $rc); otherwise it is killed and the test fails.
exited_within() {
    local i
    for i in $(seq 1 $(($1 * 20))); do
        kill -0 "$2" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$2" 2>/dev/null; then
        kill -KILL "$2"
        echo "volley did not end within $1 s" >&2
        return 1
    fi
    rc=0
    wait "$2" || rc=$?
}

@test "--expect-jq that never ends: each URL fails its check over the budget, the run goes on" {
    run vt -q --json -j 3 --jq-budget 0.2 --expect-jq 'repeat(.)' \
        --url "$BASE/json?1" --url "$BASE/json?2" --url "$BASE/json?3" \
        --url '{"url":"'"$BASE"'/json?4","expect":{"jq":".version == \"1.2\""}}' \
        --url '{"url":"'"$BASE"'/json?5","expect":{"jq":"[limit(3; repeat(1))] | length == 3"}}'
    [ "$status" -eq 1 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 5 ]
    [ "$(jq -s '[.[] | select(.seq <= 3)] | all(.error.kind == "check" and .checks[0].check == "jq" and
          .checks[0].actual == "jq program over its 0.2 s budget")' <<<"$output")" = true ]
    [ "$(jq -s '[.[] | select(.seq > 3)] | all(.ok)' <<<"$output")" = true ]
    # a spec line's own program is budgeted too
    run vt -q --json --jq-budget 0.2 --url '{"url":"'"$BASE"'/json","expect":{"jq":"repeat(.)"}}' \
        --url "$BASE/ok"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'sort_by(.seq) | map(.checks[0].actual // "ok") == ["jq program over its 0.2 s budget", "ok"]' <<<"$output")" = true ]
}

@test "--jq-memory: a jq program over it fails its check, the next one runs" {
    # under AddressSanitizer the worker's allocator must return NULL past the
    # limit, as glibc's does, rather than end the worker itself
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1"
    run vt -q --json -j 1 --jq-memory 32M --jq-budget 30 --expect-jq '"x" | until(length > 1000000000; . + .) | length > 0' \
        --url "$BASE/json" --url '{"url":"'"$BASE"'/json?2","expect":{"jq":".version"}}'
    [ "$status" -eq 1 ]
    jq -se 'map(select(.seq == 1))[0].checks[0].actual | contains("32 MiB memory budget")' <<<"$output"
    jq -se 'map(select(.seq == 2))[0].ok' <<<"$output"
    run vt -q --jq-memory 0 --url "$BASE/json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--jq-memory"* ]]
    run vt -q --jq-budget 0 --url "$BASE/json"
    [ "$status" -eq 2 ]
}

@test "a jq program that never ends holds up neither -m, --deadline nor the other transfers" {
    start=$(date +%s%N)
    run vt -q --json -j 2 -m 1 --deadline 3 --jq-budget 30 --expect-jq 'repeat(.)' \
        --url "$BASE/json" --url "$BASE/delay/8000"
    [ "$status" -eq 124 ]
    elapsed=$((($(date +%s%N) - start) / 1000000))
    [ "$elapsed" -lt 15000 ]
    # the slow transfer timed out at -m while jq ran, then --deadline cancelled the jq check
    jq -se 'map(select(.url | endswith("/delay/8000")))[0] | .error.kind == "timeout" and .time_total < 2.5' <<<"$output"
    jq -se 'map(select(.url | endswith("/json")))[0] | .error.kind == "cancelled" and .attempts == 1' <<<"$output"
}

@test "SIGINT and SIGTERM act at once while jq checks run: every URL one cancelled record" {
    for sig in INT TERM; do
        stats_reset
        vexec -j 3 --json --jq-budget 60 --expect-jq 'repeat(.)' \
            --url "$BASE/json?1" --url "$BASE/json?2" --url "$BASE/json?3" \
            >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
        pid=$!
        wait_for requests_are 3
        kill -$sig $pid
        exited_within 5 $pid
        [ "$rc" -eq $([ $sig = INT ] && echo 130 || echo 143) ]
        out="$BATS_TEST_TMPDIR/out"
        [ "$(jq -s 'length' "$out")" -eq 3 ]
        [ "$(jq -s 'map(.seq) | sort == [1, 2, 3]' "$out")" = true ]
        [ "$(jq -s 'all(.error.kind == "cancelled" and .attempts == 1)' "$out")" = true ]
    done
    # and no jq worker is left behind
    ! pgrep -f -- "--jq-worker [0-9]+ [0-9]+ $pid\$" || false
}

@test "stdout closed while a jq check waits: exit 141 at once, the check withdrawn" {
    {
        echo '{"url":"'"$BASE"'/json","expect":{"jq":"repeat(.)"}}'
        for i in $(seq 1 2000); do echo "$BASE/ok?$i"; done
    } >"$BATS_TEST_TMPDIR/l"
    start=$(date +%s)
    rc=0
    bash -c '"$0" -q -j 4 --jq-budget 60 "$1" | head -c 1 >/dev/null; exit "${PIPESTATUS[0]}"' \
        "$VOLLEY" "$BATS_TEST_TMPDIR/l" || rc=$?
    [ "$rc" -eq 141 ]
    [ $(($(date +%s) - start)) -lt 30 ]
}

@test "--fail-fast while jq checks wait: exactly one failure, the rest cancelled once" {
    run vt -q --json -j 4 --fail-fast --expect-jq 'false' \
        --url "$BASE/json?1" --url "$BASE/json?2" --url "$BASE/json?3" --url "$BASE/json?4"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 4 ]
    [ "$(jq -s 'map(select(.error.kind == "check")) | length' <<<"$output")" -eq 1 ]
    [ "$(jq -s 'map(select(.error.kind == "cancelled")) | length' <<<"$output")" -eq 3 ]
    [ "$(jq -s 'map(.seq) | sort == [1, 2, 3, 4]' <<<"$output")" = true ]
}

@test "--retry-all-errors retries a failed jq check; a spec line's jq must compile" {
    run vt -q --json --retry 2 --retry-delay 0.01 --retry-all-errors --expect-jq '.version == "9"' \
        --url "$BASE/json"
    [ "$status" -eq 1 ]
    jq -e '.attempts == 3 and .checks[0].actual == "false"' <<<"$output"
    run vt -q --json --url '{"url":"'"$BASE"'/json","expect":{"jq":".a | ("}}' --url "$BASE/ok"
    [ "$status" -eq 3 ]
    jq -se 'map(select(.seq == 1))[0] | .error.kind == "input" and (.error.message | startswith("--expect-jq: '"'"'.a | ('"'"' does not compile: syntax error"))' <<<"$output"
    jq -se 'map(select(.seq == 2))[0].ok' <<<"$output"
}

@test "--expect-time, --expect-size, --expect-sha256" {
    sum=$(curl -s "$BASE/bytes/100" | sha256sum | cut -d' ' -f1)
    run v -q --json --expect-size 100 --expect-sha256 "$sum" --expect-time 5 --url "$BASE/bytes/100"
    [ "$status" -eq 0 ]
    run v -q --json --expect-size 101- --expect-sha256 "${sum^^}" --expect-time 0.05 --url "$BASE/delay/200"
    [ "$status" -eq 1 ]
    jq -e '(.checks | map(.check)) == ["time","size","sha256"]' <<<"$output"
    run v -q --expect-size 10-200 --url "$BASE/bytes/150"
    [ "$status" -eq 0 ]
    run v -q --expect-size 10-20 --url "$BASE/bytes/150"
    [ "$status" -eq 1 ]
}

@test "a spec's expect overrides the run's expectation of the same name" {
    {
        echo '{"url":"'"$BASE"'/status/404","expect":{"status":"404"}}'
        echo "$BASE/status/404"
        echo '{"url":"'"$BASE"'/ok","expect":{"body-contains":"zz"}}'
    } >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --json --expect-status 200 -j 1 "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'map(.ok) == [true, false, false]' <<<"$output")" = true ]
    [ "$(jq -s '.[2].checks | map(.check) == ["body-contains"]' <<<"$output")" = true ]
    run v -q --json --url '{"url":"'"$BASE"'/ok","expect":{"status":"abc"}}'
    jq -e '.error.kind == "input"' <<<"$output"
}

@test "--retry --retry-all-errors waits for a deploy: checks are retried" {
    run v -q --json --retry 3 --retry-delay 0.01 --retry-all-errors --expect-status 200 --url "$BASE/flaky/2/deploy1?status=404"
    [ "$status" -eq 0 ]
    jq -e '.ok and .attempts == 3' <<<"$output"
}

@test "--max-fail-ratio: the run passes while failed / read <= P" {
    urls=(--url "$BASE/ok?1" --url "$BASE/ok?2" --url "$BASE/ok?3" --url "$BASE/status/500")
    run v -q "${urls[@]}" --max-fail-ratio 25%
    [ "$status" -eq 0 ]
    run v -q "${urls[@]}" --max-fail-ratio 20%
    [ "$status" -eq 1 ]
    run v -q "${urls[@]}" --max-fail-ratio 101
    [ "$status" -eq 2 ]
}

@test "--allow-timeouts: timeouts are recorded but fail neither the run nor --fail-fast" {
    run v -q --json -j 1 -m 0.2 --allow-timeouts --fail-fast --url "$BASE/delay/2000" --url "$BASE/ok"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'map(.error.kind // "none") == ["timeout", "none"]' <<<"$output")" = true ]
    run v -q -m 0.2 --url "$BASE/delay/2000"
    [ "$status" -eq 3 ]
}

@test "--include-headers, --include-body (capped by --max-body), --sha256" {
    run v -q --json --include-headers --include-body --sha256 --max-body 10 --url "$BASE/bytes/26"
    [ "$status" -eq 0 ]
    jq -e '.headers["Content-Length"] == "26" and .body == "abcdefghij" and .body_truncated == true
           and .body_sha256 == "'"$(curl -s "$BASE/bytes/26" | sha256sum | cut -d' ' -f1)"'"' <<<"$output"
    run v -q --json --include-body --url "$BASE/bytes/5"
    jq -e '.body == "abcde" and .body_truncated == false' <<<"$output"
    printf 'x\xffy' >"$BATS_TEST_TMPDIR/nothing"
}

@test "--output-dir saves bodies under safe, distinct names (created if missing)" {
    d="$BATS_TEST_TMPDIR/out/sub"
    run v -q --json --output-dir "$d" --url "$BASE/bytes/100" --url "$BASE/bytes/100" --url "http://u:secret@127.0.0.1:$PORT/bytes/7?q=../../x"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'map(.filename_effective) | unique | length' <<<"$output")" -eq 3 ]
    for f in $(jq -r .filename_effective <<<"$output"); do
        [ -f "$f" ]
        [[ "$f" == "$d/"* ]]
        [[ "$f" != *secret* ]]
        [[ "$(basename "$f")" != *..* ]]
    done
    [ "$(cat "$(jq -s -r '.[] | select(.url|contains("q=")) | .filename_effective' <<<"$output")")" = abcdefg ]
    run v -q --output-dir /proc/nonexistent --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

@test "--expect-status does not stop --retry from retrying a transient status" {
    run v -q --json --retry 3 --retry-delay 0.01 --expect-status 200 --url "$BASE/flaky/2/exp-retry"
    [ "$status" -eq 0 ]
    jq -e '.ok and .attempts == 3' <<<"$output"
    # a refused non-transient status stays a single attempt
    run v -q --json --retry 3 --retry-delay 0.01 --expect-status 201 --url "$BASE/ok"
    jq -e '.attempts == 1 and .error.kind == "check"' <<<"$output"
}

@test "--output-dir writes no file for a URL that got no response" {
    d="$BATS_TEST_TMPDIR/none"
    run v -q --json --output-dir "$d" --url http://127.0.0.1:9/
    [ "$status" -eq 3 ]
    jq -e 'has("filename_effective") | not' <<<"$output"
    [ -z "$(ls -A "$d")" ]
}
