#!/usr/bin/env bats
# output.bats: the record formats (text, JSONL, JSON, -w), --order, valid
# UTF-8 always, passwords never shown, colour only when asked or on a TTY.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

@test "JSONL records carry the whole schema v1 with the right types" {
    run v -q --json --url "$BASE/bytes/1024"
    [ "$status" -eq 0 ]
    jq -e '
      (keys_unsorted == ["seq","input","url","url_effective","method","http_code","ok","error",
        "attempts","time_total","time_namelookup","time_connect","time_appconnect",
        "time_starttransfer","time_redirect","time_queue","size_download","content_type",
        "http_version","remote_ip","num_redirects","num_connects","timestamp"])
      and .seq == 1 and .input == "arg:1" and .method == "GET" and .http_code == 200
      and .ok == true and .error == null and .attempts == 1 and .size_download == 1024
      and .content_type == "application/octet-stream" and .http_version == "1.1"
      and .remote_ip == "127.0.0.1" and .num_redirects == 0 and .num_connects == 1
      and ([.time_total, .time_namelookup, .time_connect, .time_appconnect,
            .time_starttransfer, .time_redirect, .time_queue] | all(type == "number" and . >= 0))
      and .time_total >= .time_connect
      and (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))' <<<"$output"
}

@test "--format text: STATUS TIME BYTES URL [kind: message]" {
    run v -q --url "$BASE/bytes/10" --url http://127.0.0.1:9/x
    [ "$status" -eq 3 ]
    [[ "$output" =~ (^|$'\n')"200 "[0-9]+\.[0-9]{3}" 10 $BASE/bytes/10"($'\n'|$) ]]
    [[ "$output" =~ (^|$'\n')"ERR "[0-9]+\.[0-9]{3}" 0 http://127.0.0.1:9/x connect: "[^$'\n']+ ]]
}

@test "--format text: control characters are shown as escapes, a backslash doubled" {
    printf 'http://127.0.0.1:9/a\tb\\c\001d\n' >"$BATS_TEST_TMPDIR/l.txt"
    run v -q "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 3 ]
    [[ "$output" == 'ERR 0.000 0 http://127.0.0.1:9/a\tb\\c\x01d input: '* ]]
    run v -q -w '%{url}\n' "$BATS_TEST_TMPDIR/l.txt"
    [ "$output" = 'http://127.0.0.1:9/a\tb\\c\x01d' ]
    # JSON keeps the bytes (JSON's own escapes)
    run v -q --json "$BATS_TEST_TMPDIR/l.txt"
    [ "$(jq -r .url <<<"$output")" = $'http://127.0.0.1:9/a\tb\\c\001d' ]
}

@test "--format json: one document, results in input order, with a summary" {
    run v -q --format json -j 3 --url "$BASE/delay/300" --url "$BASE/delay/100" --url "$BASE/status/404"
    [ "$status" -eq 1 ]
    jq -e '(.results | map(.seq)) == [1,2,3]
           and .summary.urls == 3 and .summary.ok == 2 and .summary.failed == 1
           and .summary.errors.http == 1' <<<"$output"
    # an empty list is still one valid document
    run bash -c '"$VOLLEY" -q --format json </dev/null'
    [ "$status" -eq 0 ]
    jq -e '.results == [] and .summary.urls == 0' <<<"$output"
}

@test "--order completion (default) streams as finished; --order input keeps input order" {
    urls=(--url "$BASE/delay/600" --url "$BASE/delay/300" --url "$BASE/delay/0")
    run v -q -j 3 -w '%{seq}\n' "${urls[@]}"
    [ "$output" = "3
2
1" ]
    run v -q -j 3 --order input -w '%{seq}\n' "${urls[@]}"
    [ "$output" = "1
2
3" ]
}

@test "--order input with many records keeps memory bounded and order exact" {
    for i in $(seq 1 3000); do
        if [ $((i % 500)) -eq 1 ]; then echo "$BASE/delay/200?i=$i"; else echo "$BASE/ok?i=$i"; fi
    done >"$BATS_TEST_TMPDIR/l.txt"
    run v -q -j 8 --order input -w '%{seq}\n' "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "$output" = "$(seq 1 3000)" ]
}

@test "-w templates use the schema's names, escapes, and write exactly what is given" {
    run v -q -w 'code=%{http_code}\tsize=%{size_download}\tkind=%{error_kind}%%\n' --url "$BASE/bytes/7"
    [ "$output" = $'code=200\tsize=7\tkind=%' ]
    run v -q -w '%{json}' --url "$BASE/ok"
    jq -e '.http_code == 200' <<<"$output"
    run v -q -w '[%{url}]' --url "$BASE/ok" --url "$BASE/ok?2"
    [ "${#lines[@]}" -eq 1 ]
    run v -q -w '%{error_kind} %{exitcode} %{errormsg}\n' --url http://127.0.0.1:9/
    [[ "$output" == "connect 7 "* ]]
}

@test "passwords in URLs never appear in any output" {
    u="http://user:s3cr3t@127.0.0.1:$PORT/redirect/1"
    run v -q --json -L --url "$u"
    [[ "$output" != *s3cr3t* ]]
    jq -e '.url == "http://user:***@127.0.0.1:'"$PORT"'/redirect/1" and .ok' <<<"$output"
    run v -L --url "$u"
    [[ "$output" != *s3cr3t* ]]
    run v -q -w '%{url} %{url_effective}' -L --url "$u"
    [[ "$output" != *s3cr3t* ]]
    run v -q --json --url "ftp://user:s3cr3t@127.0.0.1/"
    [[ "$output" != *s3cr3t* ]]
    [[ "$output" == *'ftp://user:***@127.0.0.1/'* ]]
}

@test "all output is valid UTF-8: control characters and bad bytes in lines" {
    printf 'http://127.0.0.1:%s/ok?a=\xc3\x28\x01\n\xe2\x82 bad\n' "$PORT" >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --json "$BATS_TEST_TMPDIR/l.txt"
    [ "$(jq -s length <<<"$output")" -eq 2 ]
    iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null
    run v -q "$BATS_TEST_TMPDIR/l.txt"
    iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null
    [ "${#lines[@]}" -eq 2 ]
}

@test "colour only with --color always (or on a TTY); never when piped or with NO_COLOR" {
    run v -q --url "$BASE/ok"
    [[ "$output" != *$'\033['* ]]
    run v -q --color always --url "$BASE/ok" --url "$BASE/status/500"
    [[ "$output" == *$'\033[32m200'* ]]
    [[ "$output" == *$'\033[31m500'* ]]
    run v -q --color never --url "$BASE/ok"
    [[ "$output" != *$'\033['* ]]
    command -v script >/dev/null || skip "no script(1)"
    run script -qec "\"$VOLLEY\" -q --url $BASE/ok" /dev/null
    [[ "$output" == *$'\033[32m200'* ]]
    run script -qec "NO_COLOR=1 \"$VOLLEY\" -q --url $BASE/ok" /dev/null
    [[ "$output" != *$'\033['* ]]
}

@test "records are whole lines even when thousands finish at once" {
    for i in $(seq 1 2000); do echo "$BASE/bytes/100?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    run v -q -j 100 --json "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 2000 ]
    [ "$(jq -s 'map(.seq) | unique | length' <<<"$output")" -eq 2000 ]
}
