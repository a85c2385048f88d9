#!/usr/bin/env bats
# scale.bats: the primitives for many machines, against the fixture server:
# --shard K/N and --shard-by (union = list, each line once, a host in one
# shard, seq shared by none), --dry-run, --resume (final kinds, torn lines,
# the newline owed to a torn stdout, convergence after SIGKILL),
# --resume-failed, --max-age and the record key timestamp.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

# list FILE N HOSTS: N URLs over HOSTS made-up host names, each mapped to
# the fixture with --resolve (see resolve_args)
list() {
    local i
    for ((i = 1; i <= $2; i++)); do
        echo "http://h$((i % $3)).test:$PORT/ok?i=$i"
    done >"$1"
}

resolve_args() {
    local h
    for ((h = 0; h < $1; h++)); do
        printf -- '--resolve\nh%d.test:%s:127.0.0.1\n' "$h" "$PORT"
    done
}

@test "--shard K/N: the union of the shards is the list, each line once, a host in one shard" {
    list "$BATS_TEST_TMPDIR/list" 300 13
    mapfile -t res < <(resolve_args 13)
    stats_reset
    for k in 1 2 3 4; do
        run v -q --json --shard "$k/4" "${res[@]}" "$BATS_TEST_TMPDIR/list"
        [ "$status" -eq 0 ]
        printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/s$k.jsonl"
    done
    cat "$BATS_TEST_TMPDIR"/s*.jsonl >"$BATS_TEST_TMPDIR/all.jsonl"
    # every line once: 300 records, 300 distinct inputs and seqs, seq = line
    [ "$(lines "$BATS_TEST_TMPDIR/all.jsonl")" -eq 300 ]
    [ "$(jq -r .input "$BATS_TEST_TMPDIR/all.jsonl" | sort -u | wc -l)" -eq 300 ]
    [ "$(jq -r 'select(.input != "'"$BATS_TEST_TMPDIR/list"':\(.seq)") | .seq' \
        "$BATS_TEST_TMPDIR/all.jsonl" | wc -l)" -eq 0 ]
    [ "$(stats requests)" -eq 300 ]
    # a host lives in exactly one shard
    for k in 1 2 3 4; do
        jq -r '.url | sub("^http://"; "") | sub(":.*"; "")' "$BATS_TEST_TMPDIR/s$k.jsonl" |
            sort -u | sed "s/^/$k /"
    done >"$BATS_TEST_TMPDIR/hosts"
    [ "$(cut -d' ' -f2 "$BATS_TEST_TMPDIR/hosts" | sort | uniq -d | wc -l)" -eq 0 ]
    [ "$(lines "$BATS_TEST_TMPDIR/hosts")" -eq 13 ]
}

@test "--shard follows FNV-1a-64 of the host: the contract's vector lands in shard 3 of 4" {
    printf 'https://example.com/a\nhttps://EXAMPLE.com:8443/b\nhttps://u:p@example.com/c\n' \
        >"$BATS_TEST_TMPDIR/l"
    run v --dry-run --shard 3/4 "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    for k in 1 2 4; do
        run v --dry-run --shard "$k/4" "$BATS_TEST_TMPDIR/l"
        [ "$status" -eq 0 ]
        [ -z "$output" ]
    done
    # --shard-by url splits the same host's URLs
    run v --dry-run --shard-by url --shard 3/4 "$BATS_TEST_TMPDIR/l"
    [ "${#lines[@]}" -lt 3 ]
}

@test "--shard: bad values are usage errors with a hint that K counts from 1" {
    run v --shard 0/4 --url http://127.0.0.1:9/
    [ "$status" -eq 2 ]
    [[ "$output" == *"K counts from 1"* ]]
    run v --shard 5/4 --url http://127.0.0.1:9/
    [ "$status" -eq 2 ]
    run v --shard 1 --url http://127.0.0.1:9/
    [ "$status" -eq 2 ]
    [[ "$output" == *"--shard needs K/N"* ]]
    run v --shard-by port --url http://127.0.0.1:9/
    [ "$status" -eq 2 ]
    [[ "$output" == *"host, domain, origin or url"* ]]
}

@test "--order input with --shard: the skipped seqs do not hold the output back" {
    list "$BATS_TEST_TMPDIR/list" 200 11
    mapfile -t res < <(resolve_args 11)
    run v -q --json --order input -j 8 --shard 2/3 "${res[@]}" "$BATS_TEST_TMPDIR/list"
    [ "$status" -eq 0 ]
    want=$(v --dry-run --shard 2/3 "$BATS_TEST_TMPDIR/list" | wc -l)
    [ "${#lines[@]}" -eq "$want" ]
    # in input order: seqs strictly increasing
    jq -s -e '[.[].seq] as $s | $s == ($s | sort) and ($s | unique | length) == ($s | length)' \
        <<<"$output"
}

@test "--dry-run prints the lines this run would handle and fetches nothing" {
    printf 'http://127.0.0.1:%s/ok\n# comment\n\n  http://127.0.0.1:%s/status/500  \nnot a url at all\n' \
        "$PORT" "$PORT" >"$BATS_TEST_TMPDIR/l"
    stats_reset
    run v --dry-run "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "${lines[1]}" = "http://127.0.0.1:$PORT/status/500" ]
    [ "$(stats requests)" -eq 0 ]
    run bash -c "printf 'http://a.test/\nhttp://b.test/\n' | '$VOLLEY' --dry-run"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2 ]
}

@test "records carry timestamp: RFC 3339 UTC with ms of the first attempt; null when never started" {
    before=$(date -u +%s)
    run v -q --json --url "$BASE/ok" --url "ftp://x/"
    after=$(date -u +%s)
    ts=$(jq -r 'select(.ok) | .timestamp' <<<"$output")
    [[ "$ts" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
    secs=$(date -u -d "$ts" +%s)
    [ "$secs" -ge "$before" ]
    [ "$secs" -le "$after" ]
    [ "$(jq -r 'select(.ok | not) | .timestamp' <<<"$output")" = null ]
    run v -q -w '%{timestamp}\n' --url "$BASE/ok"
    [[ "$output" =~ ^[0-9]{4}-.*Z$ ]]
}

@test "--resume skips requests with a final record, fetches the rest; summary says skipped" {
    printf '%s\n' "$BASE/ok?a" "$BASE/status/404?b" "$BASE/ok?c" "$BASE/ok?d" >"$BATS_TEST_TMPDIR/l"
    out="$BATS_TEST_TMPDIR/out.jsonl"
    v -q --json --url "$BASE/ok?a" --url "$BASE/status/404?b" >"$out" || true
    # a cancelled record is not final
    printf '{"url":"%s","method":"GET","ok":false,"error":{"kind":"cancelled","code":42,"message":"x"}}\n' \
        "$BASE/ok?c" >>"$out"
    stats_reset
    run v --json --resume "$out" "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 0 ]
    [ "$(stats requests)" -eq 2 ]
    [[ "$output" == *"skipped 2 already done (--resume)"* ]]
    [ "$(grep -c '^{' <<<"$output")" -eq 2 ]
    # --resume-failed fetches the 404 again
    stats_reset
    run v -q --json --resume "$out" --resume-failed "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 1 ]
    [ "$(stats requests)" -eq 3 ]
    # the method is part of the key: a POST is not the GET that was done
    stats_reset
    run v -q --json --resume "$out" -X POST --url "$BASE/ok?a"
    [ "$(stats requests)" -eq 1 ]
    run v --resume "$BATS_TEST_TMPDIR/missing.jsonl" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read --resume"* ]]
}

@test "--resume keys a spec line by its id" {
    out="$BATS_TEST_TMPDIR/ids.jsonl"
    printf '{"url":"%s/ok?x","id":"job-1"}\n{"url":"%s/ok?y","id":2}\n' "$BASE" "$BASE" >"$BATS_TEST_TMPDIR/specs"
    v -q --json "$BATS_TEST_TMPDIR/specs" >"$out"
    printf '{"url":"%s/ok?other","id":"job-1"}\n{"url":"%s/ok?y","id":3}\n' "$BASE" "$BASE" >"$BATS_TEST_TMPDIR/specs2"
    stats_reset
    run v -q --json --resume "$out" "$BATS_TEST_TMPDIR/specs2"
    [ "$(stats requests)" -eq 1 ]
    [ "$(jq -r .id <<<"$output")" = 3 ]
}

@test "--max-age: records older than the age (or without a timestamp) are fetched again" {
    out="$BATS_TEST_TMPDIR/age.jsonl"
    v -q --json --url "$BASE/ok?new" >"$out"
    printf '{"url":"%s/ok?old","method":"GET","ok":true,"error":null,"timestamp":"2020-01-01T00:00:00.000Z"}\n' \
        "$BASE" >>"$out"
    printf '{"url":"%s/ok?none","method":"GET","ok":true,"error":null}\n' "$BASE" >>"$out"
    stats_reset
    run v -q --json --resume "$out" --max-age 1d --url "$BASE/ok?new" --url "$BASE/ok?old" \
        --url "$BASE/ok?none"
    [ "$status" -eq 0 ]
    [ "$(stats requests)" -eq 2 ]
    [ "$(jq -s -r 'map(.url | sub(".*\\?"; "")) | sort | join(",")' <<<"$output")" = "none,old" ]
    stats_reset
    run v -q --json --resume "$out" --url "$BASE/ok?old" --url "$BASE/ok?none" # no --max-age
    [ "$(stats requests)" -eq 0 ]
}

@test "a torn last line is ignored with a warning, and a newline goes out first when stdout is that file" {
    out="$BATS_TEST_TMPDIR/torn.jsonl"
    v -q --json --url "$BASE/ok?1" >"$out"
    printf '{"url":"%s/ok?2","method":"GET","ok":tr' "$BASE" >>"$out" # killed mid-write
    stats_reset
    run bash -c "'$VOLLEY' --json -q --resume '$out' --url '$BASE/ok?1' --url '$BASE/ok?2' >>'$out'"
    [ "$status" -eq 0 ]
    [[ "$output" == *"last line is incomplete"* ]]
    [ "$(stats requests)" -eq 1 ]
    # every line of the file but the torn one is a whole record
    [ "$(lines "$out")" -eq 3 ]
    [ "$(grep -c '"ok":tr$' "$out")" -eq 1 ]
    [ "$(grep -v '"ok":tr$' "$out" | jq -s 'length')" -eq 2 ]
}

@test "--resume ... >> out.jsonl converges after SIGKILL: every line exactly once among final records" {
    list "$BATS_TEST_TMPDIR/list" 120 5
    sed -i 's#/ok?#/delay/40?#' "$BATS_TEST_TMPDIR/list"
    mapfile -t res < <(resolve_args 5)
    out="$BATS_TEST_TMPDIR/conv.jsonl"
    : >"$out"
    killed=0
    for round in $(seq 1 30); do
        ( vexec -q --json -j 4 --resume "$out" "${res[@]}" "$BATS_TEST_TMPDIR/list" >>"$out" ) &
        pid=$!
        if [ "$round" -le 4 ]; then # kill the first rounds part-way, hard
            sleep "0.$((RANDOM % 4 + 2))"
            kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
        fi
        wait "$pid" && break
    done
    [ "$killed" -ge 1 ]
    # final records: complete lines that are JSON, kind not cancelled; each input once
    grep -a '^{.*}$' "$out" | jq -c 'select(.error == null or .error.kind != "cancelled")' \
        >"$BATS_TEST_TMPDIR/final" 2>/dev/null || true
    [ "$(lines "$BATS_TEST_TMPDIR/final")" -eq 120 ]
    [ "$(jq -r .input "$BATS_TEST_TMPDIR/final" | sort -u | wc -l)" -eq 120 ]
}

@test "--summarize: N shards' outputs end in one summary, one JUnit report and the exit status of one run" {
    list "$BATS_TEST_TMPDIR/list" 60 7
    sed -i '10s#/ok?#/status/404?#; 20s#/ok?#/status/500?#' "$BATS_TEST_TMPDIR/list"
    mapfile -t res < <(resolve_args 7)
    for k in 1 2 3; do
        v -q --json --shard "$k/3" "${res[@]}" "$BATS_TEST_TMPDIR/list" >"$BATS_TEST_TMPDIR/s$k.jsonl" || true
    done
    stats_reset
    run v --summarize --json --report junit="$BATS_TEST_TMPDIR/j.xml" \
        "$BATS_TEST_TMPDIR"/s1.jsonl "$BATS_TEST_TMPDIR"/s2.jsonl "$BATS_TEST_TMPDIR"/s3.jsonl
    [ "$status" -eq 1 ]
    [ "$(stats requests)" -eq 0 ] # nothing fetched
    [ "$(grep -c '^{' <<<"$output")" -eq 60 ]
    [[ "$output" == *"volley: 60 URLs"* ]]
    [[ "$output" == *"ok 58, failed 2: 2 http"* ]]
    [ "$(grep -c '<testcase ' "$BATS_TEST_TMPDIR/j.xml")" -eq 60 ]
    grep -q 'tests="60" failures="2"' "$BATS_TEST_TMPDIR/j.xml"
    # the records are the shards' records, byte for byte
    diff <(grep -h '^{' "$BATS_TEST_TMPDIR"/s*.jsonl | sort) <(grep '^{' <<<"$output" | sort)
}

@test "--summarize keeps the latest record of each request: a resumed run's success replaces the failure" {
    out="$BATS_TEST_TMPDIR/r.jsonl"
    printf '{"seq":1,"input":"l:1","url":"%s/ok?a","method":"GET","ok":false,"error":{"kind":"connect","code":7,"message":"refused"},"http_code":0}\n' \
        "$BASE" >"$out"
    v -q --json --url "$BASE/ok?a" --url "$BASE/ok?b" >>"$out"
    printf '{"url":"%s/ok?b","method":"GET","ok":tr' "$BASE" >>"$out" # torn
    run v --summarize -q --json "$out"
    [ "$status" -eq 0 ]
    [[ "$output" == *"last line is incomplete; ignored"* ]]
    [ "$(grep -c '^{' <<<"$output")" -eq 2 ]
    [ "$(grep '^{' <<<"$output" | jq -s 'map(.ok) | all')" = true ]
    run v --summarize "$BATS_TEST_TMPDIR/none.jsonl"
    [ "$status" -eq 2 ]
    run v --summarize --shard 1/2 "$out"
    [ "$status" -eq 2 ]
    run v --summarize
    [ "$status" -eq 2 ]
}
