#!/usr/bin/env bats
# core.bats: exit statuses, one record per input line, the -j cap,
# per-attempt timeouts, cancellation by signals, and early close of stdout.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

@test "exit 0 when every URL passes, one text record per URL" {
    run v -q --url "$BASE/ok" --url "$BASE/status/204"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "$output" == *"200 "*" 3 $BASE/ok"* ]]
    [[ "$output" == *"204 "*" $BASE/status/204"* ]]
}

@test "exit 1 when a status is outside 2xx/3xx, kind http" {
    run v -q --json --url "$BASE/ok" --url "$BASE/status/404"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'map(select(.http_code==404))[0].error.kind' <<<"$output")" = '"http"' ]
    [ "$(jq -s 'map(select(.http_code==404))[0].ok' <<<"$output")" = false ]
}

@test "exit 2 for usage errors, with a message and no fetch" {
    stats_reset
    run v --parallel 0 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--parallel"* ]]
    run v --no-such-option
    [ "$status" -eq 2 ]
    run v "$BATS_TEST_TMPDIR/missing.txt"
    [ "$status" -eq 2 ]
    [[ "$output" == *"missing.txt"* ]]
    run v -H $'X-A: 1\r\nX-B: 2' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"CR or LF"* ]]
    run v -w '%{nope}' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$(stats requests)" -eq 0 ]
}

@test "exit 3 for connection refused (the README example), wins over 1" {
    run v -q -m 2 --connect-timeout 1 --url http://127.0.0.1:9/
    [ "$status" -eq 3 ]
    [[ "$output" == "ERR "*"http://127.0.0.1:9/ connect: "* ]]
    run v -q --json --url http://127.0.0.1:9/ --url "$BASE/status/500"
    [ "$status" -eq 3 ]
    [ "$(jq -s 'map(select(.url=="http://127.0.0.1:9/"))[0] | [.error.kind, .error.code, .http_code, .attempts] | @csv' <<<"$output")" = '"\"connect\",7,0,1"' ]
}

@test "exit 4 when stdout cannot be written" {
    [ -w /dev/full ] || skip "no /dev/full"
    run bash -c '"$VOLLEY" -q --url "$BASE/ok" >/dev/full'
    [ "$status" -eq 4 ]
    [[ "$output" == *"stdout"* ]]
}

@test "a record for every input line, bad lines included; comments and blanks skipped" {
    long=$(head -c 70000 /dev/zero | tr '\0' 'a')
    {
        echo "# a comment"
        echo "   $BASE/ok   "
        echo ""
        echo "ftp://127.0.0.1/file"
        echo "   # indented comment"
        echo "http://exa mple.com/"
        echo "http://$long"
        echo "$BASE/status/404"
        printf 'http://127.0.0.1:%s/ok?\xff\xfe\n' "$PORT"
        printf '%s' "$BASE/status/201"
    } >"$BATS_TEST_TMPDIR/list.txt"
    run v -q --json "$BATS_TEST_TMPDIR/list.txt"
    [ "$status" -eq 3 ]
    echo "$output" | jq -e . >/dev/null
    [ "$(jq -s length <<<"$output")" -eq 7 ]
    [ "$(jq -s 'map(.seq) | sort | . == [1,2,3,4,5,6,7]' <<<"$output")" = true ]
    f="$BATS_TEST_TMPDIR/list.txt"
    [ "$(jq -s -r 'sort_by(.seq) | map(.input) | join(" ")' <<<"$output")" = "$f:2 $f:4 $f:6 $f:7 $f:8 $f:9 $f:10" ]
    [ "$(jq -s -r 'sort_by(.seq) | map(.error.kind // "none") | join(" ")' <<<"$output")" = "none input input input http none none" ]
    [ "$(jq -s 'map(select(.error.kind=="input")) | all(.attempts==0 and .http_code==0)' <<<"$output")" = true ]
    # the over-long line is cut to 256 characters and "..."
    [ "$(jq -s -r 'map(select(.seq==4))[0].url | length' <<<"$output")" -eq 259 ]
    # invalid UTF-8 is repaired in the record
    [ "$(jq -s -r 'map(select(.seq==6))[0].url' <<<"$output")" = "http://127.0.0.1:$PORT/ok?"$'\xef\xbf\xbd\xef\xbf\xbd' ]
}

@test "stdin, '-' and --url (first), with FILE:LINE, -:LINE and arg:N" {
    printf '%s\n' "$BASE/status/201" >"$BATS_TEST_TMPDIR/a.txt"
    run bash -c 'printf "%s\n\n%s\n" "$BASE/status/202" "$BASE/status/203" | "$VOLLEY" -q -j 1 -w "%{input} %{http_code}\n" --url "$BASE/ok" "$BATS_TEST_TMPDIR/a.txt" -'
    [ "$status" -eq 0 ]
    [ "$output" = "arg:1 200
$BATS_TEST_TMPDIR/a.txt:1 201
-:1 202
-:3 203" ]
    run bash -c 'echo "$BASE/status/202" | "$VOLLEY" -q -w "%{input} %{http_code}\n"'
    [ "$output" = "-:1 202" ]
}

@test "a UTF-8 byte-order mark at the start of a list (file or stdin) is skipped" {
    printf '\xef\xbb\xbf%s\n%s\n' "$BASE/status/201" "$BASE/status/202" >"$BATS_TEST_TMPDIR/bom.txt"
    printf '\xef\xbb\xbf# a comment first\n%s\n' "$BASE/status/203" >"$BATS_TEST_TMPDIR/bom2.txt"
    run v -q -j 1 -w '%{input} %{http_code} %{url}\n' "$BATS_TEST_TMPDIR/bom.txt" "$BATS_TEST_TMPDIR/bom2.txt"
    [ "$status" -eq 0 ]
    [ "$output" = "$BATS_TEST_TMPDIR/bom.txt:1 201 $BASE/status/201
$BATS_TEST_TMPDIR/bom.txt:2 202 $BASE/status/202
$BATS_TEST_TMPDIR/bom2.txt:2 203 $BASE/status/203" ]
    run bash -c 'printf "\xef\xbb\xbf%s\n" "$BASE/status/204" | "$VOLLEY" -q -w "%{input} %{http_code}\n"'
    [ "$status" -eq 0 ]
    [ "$output" = "-:1 204" ]
    # a JSON request spec after it too
    run bash -c 'printf "\xef\xbb\xbf{\"url\":\"%s\",\"id\":1}\n" "$BASE/ok" | "$VOLLEY" -q -w "%{id} %{http_code}\n" -'
    [ "$output" = "1 200" ]
    # only at the very start: elsewhere it is part of the line
    printf '%s\n\xef\xbb\xbf%s\n' "$BASE/ok" "$BASE/ok" >"$BATS_TEST_TMPDIR/mid.txt"
    run v -q --json "$BATS_TEST_TMPDIR/mid.txt"
    [ "$status" -eq 3 ]
    [ "$(jq -s -r 'sort_by(.seq) | map(.error.kind // "none") | join(" ")' <<<"$output")" = "none input" ]
}

@test "--proto-default applies to lines without a scheme" {
    run v -q -w '%{url} %{http_code}\n' --proto-default http --url "127.0.0.1:$PORT/ok"
    [ "$status" -eq 0 ]
    [ "$output" = "http://127.0.0.1:$PORT/ok 200" ]
    run v -q -w '%{url}\n' -m 1 --url "127.0.0.1:$PORT/ok"
    [[ "$output" == "https://127.0.0.1:$PORT/ok" ]]
}

@test "-j caps transfers in flight: the server's max in-flight equals -j" {
    for i in $(seq 1 30); do echo "$BASE/delay/200?i=$i"; done >"$BATS_TEST_TMPDIR/slow.txt"
    stats_reset
    run v -q -j 7 "$BATS_TEST_TMPDIR/slow.txt"
    [ "$status" -eq 0 ]
    [ "$(stats max_inflight)" -eq 7 ]
    [ "$(stats requests)" -eq 30 ]
    stats_reset
    run v -q -j 1 --url "$BASE/delay/50" --url "$BASE/delay/50" --url "$BASE/delay/50"
    [ "$(stats max_inflight)" -eq 1 ]
}

@test "--max-time is per attempt, against a slow endpoint: kind timeout, exit 3" {
    run v -q --json -m 0.5 --url "$BASE/delay/5000" --url "$BASE/ok"
    [ "$status" -eq 3 ]
    rec=$(jq -s 'map(select(.url|endswith("/delay/5000")))[0]' <<<"$output")
    [ "$(jq -r .error.kind <<<"$rec")" = timeout ]
    [ "$(jq -r .error.code <<<"$rec")" = 28 ]
    jq -e '.time_total >= 0.4 and .time_total < 3' <<<"$rec"
    [ "$(jq -s 'map(select(.url|endswith("/ok")))[0].ok' <<<"$output")" = true ]
}

@test "the timeout starts when the attempt starts, not while it waits for a slot" {
    # 4 requests of 400 ms one at a time: 1.6 s in all, each within -m 0.9
    run v -q --json -j 1 -m 0.9 --url "$BASE/delay/400?a" --url "$BASE/delay/400?b" \
        --url "$BASE/delay/400?c" --url "$BASE/delay/400?d"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'all(.ok)' <<<"$output")" = true ]
    # the last one started 1.2 s into the run, past -m, and still passed
    [ "$(jq -s 'map(.time_total) | add > 1.2' <<<"$output")" = true ]
}

@test "--connect-timeout bounds DNS + TCP + TLS: a peer that never answers the handshake" {
    run v -q --json --connect-timeout 0.3 -m 10 --url "https://127.0.0.1:$SILENT_PORT/"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "timeout" and .error.code == 28 and .time_total < 5' <<<"$output"
}

@test "a server that accepts and never answers times out at --max-time" {
    run v -q --json -m 0.4 --url "http://127.0.0.1:$SILENT_PORT/"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "timeout" and .time_total >= 0.3 and .time_total < 5' <<<"$output"
}

@test "SIGINT mid-run: in-flight aborted, every line read has one record, exit 130" {
    for i in $(seq 1 40); do echo "$BASE/delay/10000?i=$i"; done >"$BATS_TEST_TMPDIR/slow.txt"
    stats_reset
    vexec -j 3 --json "$BATS_TEST_TMPDIR/slow.txt" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    wait_for inflight_is 3
    kill -INT $pid
    rc=0
    wait $pid || rc=$?
    [ "$rc" -eq 130 ]
    out="$BATS_TEST_TMPDIR/out"
    jq -e . "$out" >/dev/null
    n=$(jq -s length "$out")
    # read-ahead: the lines read are those in flight plus ~2 x -j queued
    [ "$n" -ge 3 ]
    [ "$n" -le 12 ]
    [ "$(jq -s "map(.seq) | sort == [range(1; $n + 1)]" "$out")" = true ]
    [ "$(jq -s 'all(.error.kind == "cancelled")' "$out")" = true ]
    [ "$(jq -s 'map(select(.attempts == 1)) | length' "$out")" -eq 3 ]
    [ "$(jq -s 'map(select(.attempts == 1)) | all(.error.code == 42)' "$out")" = true ]
    [ "$(jq -s 'map(select(.attempts == 0)) | all(.error.code == null)' "$out")" = true ]
    grep -q "cancelled" "$BATS_TEST_TMPDIR/err"
}

@test "SIGTERM cancels the same way, exit 143" {
    stats_reset
    vexec -j 2 -q --url "$BASE/delay/10000?x" --url "$BASE/delay/10000?y" >"$BATS_TEST_TMPDIR/out" &
    pid=$!
    wait_for inflight_is 2
    kill -TERM $pid
    rc=0
    wait $pid || rc=$?
    [ "$rc" -eq 143 ]
    [ "$(lines "$BATS_TEST_TMPDIR/out")" -eq 2 ]
    grep -q "cancelled: terminated by SIGTERM" "$BATS_TEST_TMPDIR/out"
}

@test "SIGHUP (terminal closed) cancels like SIGTERM, exit 129; ignored under nohup" {
    for i in $(seq 1 20); do echo "$BASE/delay/10000?h=$i"; done >"$BATS_TEST_TMPDIR/slow.txt"
    stats_reset
    vexec -j 2 --json "$BATS_TEST_TMPDIR/slow.txt" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    wait_for inflight_is 2
    kill -HUP $pid
    rc=0
    wait $pid || rc=$?
    [ "$rc" -eq 129 ]
    out="$BATS_TEST_TMPDIR/out"
    n=$(jq -s length "$out")
    [ "$n" -ge 2 ]
    [ "$n" -lt 20 ]
    [ "$(jq -s "map(.seq) | sort == [range(1; $n + 1)]" "$out")" = true ]
    [ "$(jq -s 'all(.error.kind == "cancelled" and .error.message == "terminated by SIGHUP")' "$out")" = true ]
    [ "$(jq -s 'map(select(.error.code == 42)) | length' "$out")" -eq 2 ]
    grep -q "stopped by SIGHUP after .* s; $((20 - n)) lines not read" "$BATS_TEST_TMPDIR/err"
    # nohup: a hang-up stays ignored, the run goes on to its end
    stats_reset
    ( trap '' HUP; vexec -q -w '%{http_code}\n' --url "$BASE/delay/2000" ) >"$BATS_TEST_TMPDIR/out2" &
    pid=$!
    wait_for inflight_is 1
    kill -HUP $pid
    rc=0
    wait $pid || rc=$?
    [ "$rc" -eq 0 ]
    [ "$(cat "$BATS_TEST_TMPDIR/out2")" = 200 ]
}

@test "after a cancelled run the summary says what stopped it and how much was never read" {
    for i in $(seq 1 100); do echo "$BASE/delay/5000?u=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    run bash -c '"$VOLLEY" -j 2 -w "%{seq}\n" --deadline 0.3 "$BATS_TEST_TMPDIR/l.txt" 2>"$BATS_TEST_TMPDIR/err"'
    [ "$status" -eq 124 ]
    n=${#lines[@]}
    [ "$n" -ge 2 ]
    [ "$n" -lt 100 ]
    grep -q "^  stopped by --deadline after 0\.[3-9][0-9] s; $((100 - n)) lines not read$" "$BATS_TEST_TMPDIR/err"
    # comments and blanks are not lines to read; --url values and a second list count too
    printf '# c\n\n%s\n' "$BASE/ok?x" >"$BATS_TEST_TMPDIR/m.txt"
    run bash -c '"$VOLLEY" -j 1 --fail-fast --url "$BASE/status/500" --url "$BASE/ok?y" "$BATS_TEST_TMPDIR/l.txt" "$BATS_TEST_TMPDIR/m.txt" 2>&1 >"$BATS_TEST_TMPDIR/out"'
    n=$(lines "$BATS_TEST_TMPDIR/out")
    [ "$n" -ge 2 ]
    [[ "$output" == *"  stopped by --fail-fast after "*" s; $((103 - n)) lines not read"* ]]
    # a list read from a regular file on stdin is counted too
    run bash -c '"$VOLLEY" -j 2 --deadline 0.3 <"$BATS_TEST_TMPDIR/l.txt" 2>&1 >"$BATS_TEST_TMPDIR/out"'
    [[ "$output" == *"stopped by --deadline after "*" s; $((100 - $(lines "$BATS_TEST_TMPDIR/out"))) lines not read"* ]]
    # a pipe cannot be counted
    run bash -c 'cat "$BATS_TEST_TMPDIR/l.txt" | "$VOLLEY" -j 2 --deadline 0.3 2>&1 >/dev/null'
    [[ "$output" == *"  stopped by --deadline after "*" s; the rest of stdin was not read"* ]]
    # a run that was not cancelled says nothing of the kind
    run bash -c '"$VOLLEY" --url "$BASE/ok" 2>&1 >/dev/null'
    [[ "$output" != *"stopped by"* ]]
}

@test "stdout closed early (| head): exit 141, nothing on stderr" {
    # an unexplained ThreadSanitizer report (exit 66) seen once in CI here: skipped
    # in that stage only until it is found (see the issue note); runs everywhere else
    for i in $(seq 1 5000); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/many.txt"
    run bash -c '"$VOLLEY" "$BATS_TEST_TMPDIR/many.txt" 2>"$BATS_TEST_TMPDIR/err" | head -3; echo "rc=${PIPESTATUS[0]}"'
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[3]}" = "rc=141" ] || { cat "$BATS_TEST_TMPDIR/err"; false; }
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "| head -1 ends volley when head ends, not when the next transfer does" {
    # the second URL never answers: only watching stdout for its reader's
    # going (not only writing to it) ends the run before timeout's 20 s
    run bash -c 'timeout 20 "$VOLLEY" -j 2 --url "$BASE/ok" --url "$BASE/hang" 2>"$BATS_TEST_TMPDIR/err" | head -1; echo "rc=${PIPESTATUS[0]}"'
    [ "${#lines[@]}" -eq 2 ]
    [[ "${lines[0]}" == "200 "*"/ok" ]]
    [ "${lines[1]}" = "rc=141" ]
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "the summary goes to stderr, -q silences it" {
    run bash -c '"$VOLLEY" --url "$BASE/ok" --url "$BASE/status/503" 2>&1 >/dev/null'
    [[ "${lines[0]}" == "volley: 2 URLs in "*"URLs/s)"* ]]
    [[ "$output" == *"ok 1, failed 1: 1 http"* ]]
    [[ "$output" == *"latency: p50 "* ]]
    run bash -c '"$VOLLEY" -q --url "$BASE/ok" 2>&1 >/dev/null'
    [ -z "$output" ]
}

@test "--version names volley, libcurl, libevent and cJSON; --help lists options" {
    run v --version
    [ "$status" -eq 0 ]
    [[ "$output" == "volley "* ]]
    [[ "$output" == *libcurl* && "$output" == *libevent* && "$output" == *cJSON* ]]
    run v --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"--parallel"* && "$output" == *"--max-time"* ]]
}

@test "connections are reused across URLs to one origin" {
    for i in $(seq 1 200); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    stats_reset
    run v -q -j 4 --threads 1 "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "$(stats requests)" -eq 200 ]
    [ "$(stats connections)" -le 4 ]
    # several loops: each reuses its own connections; its cache keeps
    # ceil(-j/N) of them, so when one loop has more in flight some close and
    # are opened again (bench/LIMITS.md, "Connections"; under valgrind CI saw
    # more than 12), but most requests still find one
    stats_reset
    run v -q -j 4 --threads 3 "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "$(stats requests)" -eq 200 ]
    [ "$(stats connections)" -le 100 ] || { echo "connections: $(stats connections)"; false; }
}

@test "stdin is streamed: a record comes out before the input ends" {
    fifo="$BATS_TEST_TMPDIR/in.fifo"
    mkfifo "$fifo"
    vexec -q -w '%{seq}\n' <"$fifo" >"$BATS_TEST_TMPDIR/out" &
    pid=$!
    exec 7>"$fifo"
    echo "$BASE/ok?first" >&7
    wait_for test -s "$BATS_TEST_TMPDIR/out"
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = 1 ]
    echo "$BASE/ok?second" >&7
    exec 7>&-
    wait $pid
    [ "$(cat "$BATS_TEST_TMPDIR/out")" = "1
2" ]
}

@test "stdout closed at start: exit 4 before anything is fetched or written, nothing lands in a --report file" {
    stats_reset
    rep="$BATS_TEST_TMPDIR/r.json"
    rc=0
    v --report json="$rep" --url "$BASE/ok" >&- 2>"$BATS_TEST_TMPDIR/err" || rc=$?
    [ "$rc" -eq 4 ]
    grep -qx "volley: stdout is closed" "$BATS_TEST_TMPDIR/err"
    [ ! -e "$rep" ]
    [ "$(stats requests)" -eq 0 ]
}

@test "stderr closed at start: the run goes on, nothing meant for stderr lands in a --report file" {
    [ -z "${VOLLEY_WRAPPER:-}" ] || skip "valgrind itself does not start with stderr closed"
    rep="$BATS_TEST_TMPDIR/r.tap"
    rc=0
    # the progress line is drawn while the report file is open
    v --json --progress always --report tap="$rep" --url "$BASE/delay/700" --url "$BASE/status/500" \
        >"$BATS_TEST_TMPDIR/out" 2>&- || rc=$?
    [ "$rc" -eq 1 ]
    [ "$(lines "$BATS_TEST_TMPDIR/out")" -eq 2 ]
    [ "$(head -1 "$rep")" = "TAP version 13" ]
    ! grep -q $'\r' "$rep" || false
    ! grep -q "URLs in" "$rep" || false
}

@test "stdin closed at start and no list given: nothing is read, exit 0" {
    rc=0
    v -q --json <&- >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" || rc=$?
    [ "$rc" -eq 0 ]
    [ ! -s "$BATS_TEST_TMPDIR/out" ]
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
    # a list on a FILE is not disturbed by the closed stdin
    echo "$BASE/ok" >"$BATS_TEST_TMPDIR/l.txt"
    v -q --json "$BATS_TEST_TMPDIR/l.txt" <&- >"$BATS_TEST_TMPDIR/out"
    jq -e '.ok and .input == "'"$BATS_TEST_TMPDIR"'/l.txt:1"' "$BATS_TEST_TMPDIR/out"
}

@test "one rule for an over-long line, whatever the source: file, stdin, a pipe in small writes" {
    f="$BATS_TEST_TMPDIR/long.txt"
    {
        echo "$BASE/ok?a"
        printf '%3000s' ''
        head -c 300000 /dev/zero | tr '\0' x
        echo
        printf '%70000s%s%70000s\n' '' "$BASE/ok?b" ''
    } >"$f"
    want='[{"seq":1,"kind":null},{"seq":2,"kind":"input"},{"seq":3,"kind":null}]'
    for how in file stdin pipe; do
        case $how in
        file) v -q --json --order input "$f" >"$BATS_TEST_TMPDIR/out" || true ;;
        stdin) v -q --json --order input <"$f" >"$BATS_TEST_TMPDIR/out" || true ;;
        pipe) dd if="$f" bs=1000 status=none | v -q --json --order input >"$BATS_TEST_TMPDIR/out" || true ;;
        esac
        [ "$(jq -sc 'map({seq, kind: .error.kind})' "$BATS_TEST_TMPDIR/out")" = "$want" ]
        jq -se '.[1].error.message == "line longer than 64 KiB" and (.[1].url | startswith("xxxx"))' "$BATS_TEST_TMPDIR/out"
        jq -se '.[2].url == "'"$BASE"'/ok?b"' "$BATS_TEST_TMPDIR/out"
    done
}
