#!/usr/bin/env bats
# threads.bats: --threads N as the server sees it and as the records show
# it. -j, --per-host, --rate and --rate-per-host hold exactly over 1, 2 and
# 4 loops; --order input is the same output whatever N (but for the fields
# that describe connections and timing), completion order the same records;
# SIGINT, SIGTERM, --deadline and --fail-fast at random moments of a 5,000
# URL run leave every line read with exactly one whole record and the right
# status; a reader of stdout that stopped reading neither blocks the signals
# (2 s, then the count of records not written) nor lets memory grow.
# The fixture here has six listeners on 127.0.0.1: six origins, each
# counted on its own port.

load helpers

setup_file() {
    local out="$BATS_FILE_TMPDIR/fixture.out" i
    # shellcheck disable=SC2046
    "$FIXTURE" --max-seconds 900 $(printf -- '--listen 127.0.0.1 %.0s' 1 2 3 4 5 6) \
        >"$out" 2>"$BATS_FILE_TMPDIR/fixture.err" &
    FIX_PID=$!
    for i in $(seq 1 200); do
        [ -s "$out" ] && [ "$(wc -l <"$out")" -ge 6 ] && break
        sleep 0.05
    done
    PORTS=$(tr '\n' ' ' <"$out")
    PORT=$(sed -n 1p "$out")
    [ -n "$(sed -n 6p "$out")" ] || { echo "fixture did not start" >&2; return 1; }
    BASE="http://127.0.0.1:$PORT"
    export FIX_PID PORTS PORT BASE
}

teardown_file() { fixture_stop; }

# port_max PORT: the most requests that origin ever had in flight
port_max() {
    stats | jq ".by_port[\"$1\"].max_inflight"
}

# requests_over N: the fixture has answered more than N requests
requests_over() {
    [ "$(stats requests)" -gt "$1" ]
}

# arrivals FILTER: the fixture's arrival times (ms) of the paths containing FILTER
arrivals() {
    curl -s --max-time 5 "$BASE/log" | jq -r --arg f "$1" '.[] | select(.path | contains($f)) | .t_ms'
}

# strip: the records without the fields that describe connections and
# timing, which may differ between runs and numbers of loops (contract:
# time_*, num_connects, local_port, timestamp; and speed_*, bytes over time)
strip() {
    jq -c 'with_entries(select(.key | test("^(time_|speed_)|^(num_connects|local_port|timestamp)$")
                               | not))' "$@"
}

# check_records OUT ERR TOTAL CAUSE: every line of OUT is a whole JSON
# record (the last one too), their seqs are exactly 1..n, and ERR's stop
# line says CAUSE stopped the run with TOTAL - n lines not read
check_records() {
    local out=$1 err=$2 total=$3 cause=$4 n
    n=$(lines "$out")
    [ "$n" -ge 1 ]
    [ "$(tail -c 1 "$out" | od -An -tx1 | tr -d ' ')" = 0a ]
    jq -e . "$out" >/dev/null
    [ "$(jq -s "map(.seq) | sort == [range(1; $n + 1)]" "$out")" = true ]
    grep -q "^  stopped by $cause after [0-9.]* s; $((total - n)) lines\{0,1\} not read$" "$err" ||
        grep -q "^  stopped by $cause after [0-9.]* s; every line was read$" "$err" ||
        { echo "n=$n; $(cat "$err")"; return 1; }
}

@test "-j is the total in flight over every loop: the server's max in-flight equals -j" {
    for i in $(seq 1 120); do echo "$BASE/delay/60?i=$i"; done >"$BATS_TEST_TMPDIR/one.txt"
    for n in $(seq 1 240); do
        set -- $PORTS
        shift $((n % 6))
        echo "http://127.0.0.1:$1/delay/40?n=$n"
    done >"$BATS_TEST_TMPDIR/six.txt"
    for t in 1 2 4; do
        stats_reset
        run v -q -j 8 --threads "$t" -w '%{http_code}\n' "$BATS_TEST_TMPDIR/one.txt"
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 120 ]
        [ "$(stats max_inflight)" -eq 8 ] || { echo "--threads $t: $(stats max_inflight)"; return 1; }
        stats_reset
        run v -q -j 10 --threads "$t" -w '%{http_code}\n' "$BATS_TEST_TMPDIR/six.txt"
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 240 ]
        [ "$(stats max_inflight)" -eq 10 ] || { echo "--threads $t: $(stats max_inflight)"; return 1; }
    done
}

@test "slots stay with the loops that hold the tasks: a second wave reuses the first one's connections" {
    # 200 URLs of 100 ms at -j 100: two waves; each loop gets its share of
    # the slots from the start, so each has connections for its second wave
    for i in $(seq 1 200); do echo "$BASE/delay/100?w=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    for t in 2 4; do
        stats_reset
        run v -q -j 100 --threads "$t" -w '%{http_code}\n' "$BATS_TEST_TMPDIR/l.txt"
        [ "$status" -eq 0 ]
        [ "$(stats requests)" -eq 200 ]
        [ "$(stats max_inflight)" -eq 100 ]
        # -j, and at most one more per loop where -j does not divide evenly
        [ "$(stats connections)" -le $((100 + t)) ] || { echo "--threads $t: $(stats connections)"; return 1; }
    done
}

@test "--per-host holds per origin over every loop: each origin's max in-flight equals it" {
    for n in $(seq 1 180); do
        set -- $PORTS
        shift $((n % 6))
        echo "http://127.0.0.1:$1/delay/40?n=$n"
    done >"$BATS_TEST_TMPDIR/l.txt"
    for t in 1 2 4; do
        stats_reset
        run v -q -j 30 --per-host 3 --threads "$t" -w '%{http_code}\n' "$BATS_TEST_TMPDIR/l.txt"
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 180 ]
        for p in $PORTS; do
            [ "$(port_max "$p")" -eq 3 ] || { echo "--threads $t, port $p: $(port_max "$p")"; return 1; }
        done
        [ "$(stats max_inflight)" -le 18 ]
    done
}

@test "--rate stays evenly spaced over the whole run, whatever the loops" {
    # a first request to each origin opens its connection (it reaches the
    # server later than it started): the spacing is measured after them
    for p in $PORTS; do echo "http://127.0.0.1:$p/ok?warm"; done >"$BATS_TEST_TMPDIR/w.txt"
    for n in $(seq 1 40); do
        set -- $PORTS
        shift $((n % 6))
        echo "http://127.0.0.1:$1/ok?rate=$n"
    done >"$BATS_TEST_TMPDIR/l.txt"
    for t in 2 4; do
        curl -s "$BASE/log/reset" >/dev/null
        run v -q -j 20 --rate 100/s --threads "$t" "$BATS_TEST_TMPDIR/w.txt" "$BATS_TEST_TMPDIR/l.txt"
        [ "$status" -eq 0 ]
        arrivals "rate=" | sort -n >"$BATS_TEST_TMPDIR/t"
        [ "$(lines "$BATS_TEST_TMPDIR/t")" -eq 40 ]
        # no bursts when the loops start together: any 6 consecutive
        # arrivals span about 50 ms, and the 40 about 390 ms (as for one loop)
        awk '{ t[NR] = $1 } END { for (i = 1; i + 5 <= NR; i++) if (t[i + 5] - t[i] < 40) exit 1;
             exit !(t[NR] - t[1] >= 370) }' "$BATS_TEST_TMPDIR/t" ||
            { echo "--threads $t:"; cat "$BATS_TEST_TMPDIR/t"; return 1; }
    done
}

@test "--rate-per-host spaces each origin on its own, whatever the loops" {
    # each origin's first request opens its connection, so it reaches the
    # server later than it started; the spacing is measured from the next
    for p in $PORTS; do echo "http://127.0.0.1:$p/ok?warm&p=$p"; done >"$BATS_TEST_TMPDIR/l.txt"
    for i in $(seq 1 8); do
        for p in $PORTS; do echo "http://127.0.0.1:$p/ok?rh=$i&p=$p"; done
    done >>"$BATS_TEST_TMPDIR/l.txt"
    for t in 2 4; do
        curl -s "$BASE/log/reset" >/dev/null
        run v -q -j 20 --rate-per-host 20/s --threads "$t" "$BATS_TEST_TMPDIR/l.txt"
        [ "$status" -eq 0 ]
        for p in $PORTS; do
            curl -s --max-time 5 "$BASE/log" |
                jq -r --arg p "$p" '.[] | select(.path | endswith("&p=" + $p) and contains("rh=")) | .t_ms' |
                sort -n >"$BATS_TEST_TMPDIR/$p"
            [ "$(lines "$BATS_TEST_TMPDIR/$p")" -eq 8 ]
            awk 'NR > 1 { g = $1 - p; if (min == "" || g < min) min = g } { p = $1 } END { exit !(min >= 40) }' \
                "$BATS_TEST_TMPDIR/$p" || { echo "--threads $t, port $p:"; cat "$BATS_TEST_TMPDIR/$p"; return 1; }
        done
        # the origins overlap in time: not one global spacing
        set -- $PORTS
        a=$(sed -n 2p "$BATS_TEST_TMPDIR/$2")
        b=$(tail -n 1 "$BATS_TEST_TMPDIR/$1")
        awk -v a="$a" -v b="$b" 'BEGIN { exit !(a < b) }'
    done
}

# A list with answers volley retries, fails or rejects, and bodies of many
# sizes. Nothing in it depends on timing: not a connect error (its message
# says how many ms it took), nor an empty reply or a reset (on a reused
# connection libcurl may retry those itself, the same with one loop).
mixed_list() {
    local i
    echo "$BASE/ok?first"
    echo "ftp://example.com/"
    echo '{"url": 1}'
    echo "{\"url\": \"$BASE/status/404\", \"id\": 7}"
    echo "# a comment"
    echo "{\"url\": \"$BASE/echo\", \"method\": \"POST\", \"data\": \"x=1\", \"id\": \"post\"}"
    for i in $(seq 1 150); do
        case $((i % 6)) in
        0) echo "$BASE/status/500?i=$i" ;;
        1) echo "$BASE/flaky/2/order-$i" ;;
        2) echo "$BASE/delay/$((i % 5 * 7))?i=$i" ;;
        3) echo "$BASE/bytes/$((i * 37))" ;;
        4) echo "$BASE/redirect/2?i=$i" ;;
        5) echo "$BASE/status/503?i=$i" ;;
        esac
    done
    printf '%s\n' "not a url at all" "" "$BASE/ok?last"
}

@test "--order input: the same output over 1, 2 and 4 loops; completion order the same records" {
    mixed_list >"$BATS_TEST_TMPDIR/l.txt"
    for t in 1 2 4; do
        curl -s "$BASE/keys/reset" >/dev/null
        run v -q --json --order input -L -j 10 --retry 2 --retry-delay 0.01 --threads "$t" \
            "$BATS_TEST_TMPDIR/l.txt"
        [ "$status" -eq 3 ]
        printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/raw.$t"
        strip "$BATS_TEST_TMPDIR/raw.$t" >"$BATS_TEST_TMPDIR/out.$t"
    done
    [ "$(lines "$BATS_TEST_TMPDIR/out.1")" -eq 157 ]
    # it is a list that tells: retries, failures and bad lines are in it
    [ "$(jq -s 'map(select(.attempts == 3 and .ok)) | length' "$BATS_TEST_TMPDIR/out.1")" -eq 25 ]
    [ "$(jq -s 'map(select(.error.kind == "input")) | length' "$BATS_TEST_TMPDIR/out.1")" -eq 3 ]
    [ "$(jq -s 'map(select(.error.kind == "http")) | length' "$BATS_TEST_TMPDIR/out.1")" -eq 51 ]
    [ "$(jq -s 'map(.seq) == [range(1; 158)]' "$BATS_TEST_TMPDIR/out.1")" = true ]
    cmp "$BATS_TEST_TMPDIR/out.1" "$BATS_TEST_TMPDIR/out.2"
    cmp "$BATS_TEST_TMPDIR/out.1" "$BATS_TEST_TMPDIR/out.4"
    # completion order over 4 loops: the same records, in another order
    curl -s "$BASE/keys/reset" >/dev/null
    run v -q --json -L -j 10 --retry 2 --retry-delay 0.01 --threads 4 "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 3 ]
    printf '%s\n' "$output" | strip | jq -s -c 'sort_by(.seq)[]' >"$BATS_TEST_TMPDIR/done.4"
    cmp "$BATS_TEST_TMPDIR/out.1" "$BATS_TEST_TMPDIR/done.4"
    # and the gathered JSON document
    curl -s "$BASE/keys/reset" >/dev/null
    run v -q --format json -L -j 10 --retry 2 --retry-delay 0.01 --threads 4 "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 3 ]
    printf '%s\n' "$output" | jq -c '.results[]' | strip >"$BATS_TEST_TMPDIR/doc.4"
    cmp "$BATS_TEST_TMPDIR/out.1" "$BATS_TEST_TMPDIR/doc.4"
}

# A 5,000-URL list that takes a couple of seconds at -j 20.
long_list() {
    local i
    for i in $(seq 1 5000); do echo "$BASE/delay/$((i % 5 * 4))?i=$i"; done
}

@test "SIGINT and SIGTERM at random moments over 4 loops: one whole record per line read, 130 / 143" {
    long_list >"$BATS_TEST_TMPDIR/l.txt"
    for round in 1 2 3; do
        for sig in INT TERM; do
            out="$BATS_TEST_TMPDIR/out" err="$BATS_TEST_TMPDIR/err"
            stats_reset
            vexec --threads 4 -j 20 --json "$BATS_TEST_TMPDIR/l.txt" >"$out" 2>"$err" &
            pid=$!
            # the run is under way (its signal handlers are in place), then a
            # random moment of it (not a stand-in for an event)
            wait_for requests_over 0
            sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
            kill -"$sig" "$pid"
            rc=0
            wait "$pid" || rc=$?
            want=143
            [ "$sig" = TERM ] || want=130
            [ "$rc" -eq "$want" ] || { echo "SIG$sig: exit $rc"; cat "$err"; return 1; }
            check_records "$out" "$err" 5000 "SIG$sig"
            n=$(lines "$out")
            [ "$n" -lt 5000 ]
            [ "$(jq -s 'map(select(.error.kind == "cancelled")) | length > 0' "$out")" = true ]
            [ "$(jq -s 'map(select(.ok == false and .error.kind != "cancelled")) | length' "$out")" -eq 0 ]
        done
    done
}

@test "--deadline and --fail-fast at random moments over 4 loops: one whole record per line read" {
    long_list >"$BATS_TEST_TMPDIR/l.txt"
    out="$BATS_TEST_TMPDIR/out" err="$BATS_TEST_TMPDIR/err"
    for round in 1 2 3; do
        run bash -c '"$VOLLEY" --threads 4 -j 20 --json --deadline "$1" "$2" >"$3" 2>"$4"' _ \
            "0.$((RANDOM % 9 + 1))" "$BATS_TEST_TMPDIR/l.txt" "$out" "$err"
        [ "$status" -eq 124 ]
        check_records "$out" "$err" 5000 --deadline
        # one failure at a random line: exactly one failed record, exit 1
        at=$((RANDOM % 3000 + 1000))
        sed "${at}s|.*|$BASE/status/500?fail|" "$BATS_TEST_TMPDIR/l.txt" >"$BATS_TEST_TMPDIR/f.txt"
        run bash -c '"$VOLLEY" --threads 4 -j 20 --json --fail-fast "$1" >"$2" 2>"$3"' _ \
            "$BATS_TEST_TMPDIR/f.txt" "$out" "$err"
        [ "$status" -eq 1 ]
        check_records "$out" "$err" 5000 --fail-fast
        [ "$(jq -s 'map(select(.ok == false and .error.kind != "cancelled")) | length' "$out")" -eq 1 ]
        [ "$(jq -s 'map(select(.error.kind == "http")) | .[0].url | endswith("?fail")' "$out")" = true ]
    done
}

@test "a closed stdout ends a run over 4 loops at once: 141, nothing on stderr" {
    for i in $(seq 1 5000); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    run bash -c '"$VOLLEY" --threads 4 "$1" 2>"$2" | head -3; echo "rc=${PIPESTATUS[0]}"' _ \
        "$BATS_TEST_TMPDIR/l.txt" "$BATS_TEST_TMPDIR/err"
    [ "${#lines[@]}" -eq 4 ]
    [ "${lines[3]}" = "rc=141" ] || { cat "$BATS_TEST_TMPDIR/err"; false; }
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
}

# stalled: the fixture's request count stands still (over 0.3 s), with
# nothing in flight, short of the whole list
stalled() {
    local r1 r2
    r1=$(stats requests)
    [ "$(stats inflight)" -eq 0 ] || return 1
    sleep 0.3
    r2=$(stats requests)
    [ "$r1" -eq "$r2" ] || return 1
    [ "$r1" -gt 1000 ] || return 1
    [ "$r1" -lt 20000 ]
}

# now_ms: the clock, in milliseconds
now_ms() { echo $(($(date +%s%N) / 1000000)); }

@test "a reader that stopped reading: SIGTERM ends the run within 2 s + slack, 143, and says what was not written" {
    for i in $(seq 1 20000); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    fifo="$BATS_TEST_TMPDIR/out.fifo"
    mkfifo "$fifo"
    exec 7<>"$fifo" # a reader that never reads
    stats_reset
    vexec --threads 4 --json --include-headers "$BATS_TEST_TMPDIR/l.txt" >"$fifo" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    # far more than a pipe holds: stdout's thread is stuck in write()
    wait_for requests_over 1500
    t0=$(now_ms)
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    t1=$(now_ms)
    exec 7>&-
    [ "$rc" -eq 143 ]
    [ $((t1 - t0)) -ge 1900 ]
    [ $((t1 - t0)) -lt 5000 ] || { echo "took $((t1 - t0)) ms"; return 1; }
    grep -Eq "^volley: [1-9][0-9]* records? could not be written: stdout is not being read$" "$BATS_TEST_TMPDIR/err"
    grep -q "stopped by SIGTERM" "$BATS_TEST_TMPDIR/err"
}

@test "a reader that stopped reading: --deadline ends the run 2 s after it, 124" {
    for i in $(seq 1 20000); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    fifo="$BATS_TEST_TMPDIR/out.fifo"
    mkfifo "$fifo"
    exec 7<>"$fifo"
    t0=$(now_ms)
    run bash -c '"$VOLLEY" --threads 4 --json --include-headers --deadline 1 "$1" >"$2" 2>"$3"' _ \
        "$BATS_TEST_TMPDIR/l.txt" "$fifo" "$BATS_TEST_TMPDIR/err"
    t1=$(now_ms)
    exec 7>&-
    [ "$status" -eq 124 ]
    [ $((t1 - t0)) -ge 2900 ]
    [ $((t1 - t0)) -lt 6000 ] || { echo "took $((t1 - t0)) ms"; return 1; }
    grep -Eq "^volley: [1-9][0-9]* records? could not be written: stdout is not being read$" "$BATS_TEST_TMPDIR/err"
}

@test "a reader that stopped reading: reading stops too, memory stays bounded" {
    for i in $(seq 1 20000); do echo "$BASE/ok?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    fifo="$BATS_TEST_TMPDIR/out.fifo"
    mkfifo "$fifo"
    exec 7<>"$fifo"
    stats_reset
    vexec --threads 4 --json --include-headers "$BATS_TEST_TMPDIR/l.txt" >"$fifo" 2>"$BATS_TEST_TMPDIR/err" &
    pid=$!
    wait_for stalled
    # 64 MiB; a sanitizer's shadow memory and quarantine count in its RSS
    limit=65536
    case ${VOLLEY_SANITIZER:-OFF} in OFF | "") ;; *) limit=$((4 * limit)) ;; esac
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
    [ "$rss" -lt "$limit" ] || { echo "RSS $rss kB"; return 1; }
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    exec 7>&-
    [ "$rc" -eq 143 ]
    # what it had read it recorded (the pipe took some, the rest is counted)
    grep -Eq "^  stopped by SIGTERM after [0-9.]* s; 1[0-9]{4} lines not read$" "$BATS_TEST_TMPDIR/err"
}

@test "jq checks over 4 loops: each one evaluated whole (libjq 1.6 is not thread-safe)" {
    for i in $(seq 1 300); do echo "$BASE/json?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --threads 4 -j 20 --json --expect-jq '.ok and (.version | tonumber) > 1' \
        --expect-body '"version"' "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'length == 300 and all(.ok)' <<<"$output")" = true ]
    run v -q --threads 4 -j 20 --json --expect-jq '.version == "2"' "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'length == 300 and all(.error.kind == "check")' <<<"$output")" = true ]
}
