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
        "http_version","remote_ip","num_redirects","num_connects","timestamp",
        "redirect_url","remote_port","local_ip","local_port","scheme","speed_download",
        "speed_upload","size_header","size_request","size_upload","time_pretransfer"])
      and .seq == 1 and .input == "arg:1" and .method == "GET" and .http_code == 200
      and .ok == true and .error == null and .attempts == 1 and .size_download == 1024
      and .content_type == "application/octet-stream" and .http_version == "1.1"
      and .remote_ip == "127.0.0.1" and .num_redirects == 0 and .num_connects == 1
      and ([.time_total, .time_namelookup, .time_connect, .time_appconnect,
            .time_starttransfer, .time_redirect, .time_queue] | all(type == "number" and . >= 0))
      and .time_total >= .time_connect
      and (.timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$"))
      and .redirect_url == null and .remote_port == '"$PORT"' and .local_ip == "127.0.0.1"
      and .local_port > 0 and .scheme == "http" and (.speed_download | type == "number")
      and .speed_upload == 0 and .size_header > 0 and .size_request > 0 and .size_upload == 0
      and (.time_pretransfer | type == "number" and . >= 0)' <<<"$output"
    # nothing fetched: null strings, zero numbers
    run v -q --json --url http://127.0.0.1:9/
    jq -e '.redirect_url == null and .remote_port == 0 and .local_ip == null and .local_port == 0
      and .scheme == null and .size_header == 0 and .size_request == 0' <<<"$output"
}

@test "-w knows curl's names: redirect_url, ports, scheme, sizes, speeds, time_pretransfer" {
    # redirect_url: where a redirect not followed would go
    run v -q -w '%{http_code} %{redirect_url} %{num_redirects}\n' --url "$BASE/redirect/1"
    [ "$output" = "302 $BASE/redirect/0 0" ]
    run v -q -w '[%{redirect_url}]' -L --url "$BASE/redirect/1"
    [ "$output" = "[]" ]
    # never a password in it
    enc=$(jq -rn --arg u "http://u:s3cr3t@127.0.0.1:$PORT/ok" '$u|@uri')
    run v -q -w '%{redirect_url}' --url "$BASE/redirect-to?url=$enc"
    [ "$output" = "http://u:***@127.0.0.1:$PORT/ok" ]
    run v -q -w '%{remote_ip}:%{remote_port} %{local_ip} %{local_port} %{scheme}' --url "$BASE/ok"
    [[ "$output" =~ ^"127.0.0.1:$PORT 127.0.0.1 "[1-9][0-9]*" http"$ ]]
    # the response's header bytes, as curl counts them
    want=$(curl -s -o /dev/null -w '%{size_header}' "$BASE/redirect/1")
    run v -q -w '%{size_header}' --url "$BASE/redirect/1"
    [ "$output" = "$want" ]
    # the request's bytes: one more header line adds its length
    run v -q -w '%{size_request}' --url "$BASE/echo"
    plain=$output
    run v -q -w '%{size_request}' -H 'X-Pad: 0123456789' --url "$BASE/echo"
    [ "$output" -eq $((plain + 19)) ]
    # the uploaded body and its speed; the body received and its speed
    run v -q -w '%{size_upload} %{speed_upload} %{size_download} %{speed_download}' -d abcde --url "$BASE/echo"
    read -r up uspeed down dspeed <<<"$output"
    [ "$up" -eq 5 ]
    [ "$uspeed" -gt 0 ]
    [ "$down" -gt 0 ]
    [ "$dspeed" -gt 0 ]
    run v -q -w '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer}' --url "$BASE/ok"
    read -r dns conn pre start <<<"$output"
    awk -v d="$dns" -v c="$conn" -v p="$pre" -v s="$start" 'BEGIN { exit !(d <= c && c <= p && p <= s && p > 0) }'
}

@test "-w %header{NAME} and %{header_json}: the last response's headers, secrets as ***" {
    run v -q -w '%header{content-type}|%header{CONTENT-LENGTH}|%header{x-visible}|%header{set-cookie}|%header{authorization}|%header{nope}|\n' \
        --url "$BASE/secret-headers"
    [ "$output" = "text/plain|3|shown|***|***||" ]
    [[ "$output" != *s3cret* ]]
    run v -q -w '%{header_json}' --url "$BASE/secret-headers"
    jq -e '.["X-Visible"] == "shown" and .["Set-Cookie"] == "***" and .Cookie == "***"
           and .Authorization == "***" and .["Content-Type"] == "text/plain"' <<<"$output"
    [[ "$output" != *s3cret* ]]
    # the last response only, after redirects
    run v -q -L -w '%{http_code} [%header{location}] %header{content-length}' --url "$BASE/redirect/2"
    [ "$output" = "200 [] 3" ]
    # no response: nothing
    run v -q -w '[%header{content-type}][%{header_json}]' --url http://127.0.0.1:9/
    [ "$output" = "[][]" ]
    # a bad template is a usage error
    run v -w '%header{etag' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"unterminated %header{"* ]]
    run v -w '%header{}' --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

@test "-w reaches the optional keys: id, filename_effective, body_sha256, checks" {
    run v -q -w '%{id}|%{http_code}\n' --url '{"url":"'"$BASE"'/ok","id":"job 1"}' --url '{"url":"'"$BASE"'/ok","id":7}' --url "$BASE/ok"
    [ "$(sort <<<"$output")" = "7|200
job 1|200
|200" ]
    run v -q -w '%{filename_effective} %{body_sha256}' --output-dir "$BATS_TEST_TMPDIR/o" --sha256 --url "$BASE/ok"
    [ "$output" = "$BATS_TEST_TMPDIR/o/1_127.0.0.1_${PORT}_ok $(sha256sum <"$BATS_TEST_TMPDIR/o/1_127.0.0.1_${PORT}_ok" | cut -d' ' -f1)" ]
    run v -q -w '%{error_kind}: %{checks}' --expect-status 201 --url "$BASE/ok"
    [ "$output" = "check: status 201 != 200" ]
}

@test "--format text: a spec's id follows the URL as id=VALUE, before the note" {
    run v -q -j 1 --url '{"url":"'"$BASE"'/ok","id":"api 7"}' --url '{"url":"'"$BASE"'/status/503","id":3}' --url "$BASE/ok?plain"
    [ "$status" -eq 1 ]
    [[ "${lines[0]}" =~ ^"200 "[0-9.]+" 3 $BASE/ok id=api\x207"$ ]]
    [[ "${lines[1]}" =~ ^"503 "[0-9.]+" 11 $BASE/status/503 id=3 http: HTTP status outside 2xx/3xx"$ ]]
    [[ "${lines[2]}" =~ ^"200 "[0-9.]+" 3 $BASE/ok?plain"$ ]]
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

@test "a password is hidden wherever libcurl sees one, in every output channel, and in refused lines" {
    d="$BATS_TEST_TMPDIR/chan"
    mkdir -p "$d"
    l="$BATS_TEST_TMPDIR/list.txt"
    {
        # fetched: libcurl skips the third slash and sends user:s3cr3t
        echo "http:///user:s3cr3t@127.0.0.1:$PORT/ok"
        echo "http:///user:s3cr3t@127.0.0.1:$PORT/redirect/1"
        echo "{\"url\":\"http:///user:s3cr3t@127.0.0.1:$PORT/status/500\",\"id\":1}"
        # refused: no scheme but "//", an unencoded '/', a NUL after it, a bad spec
        echo "//u:s3cr3t@127.0.0.1:$PORT/x y"
        echo "http://u:s3cr3t/x@127.0.0.1:$PORT/ y"
        printf 'http://u:s3cr3t\0@127.0.0.1/\n'
        echo "{\"url\":\"http://u:s3cr3t@127.0.0.1/\",\"bogus\":1}"
    } >"$l"
    # the transfer sends the credentials (the fixture echoes them)
    run v -q --json --url "http:///user:s3cr3t@127.0.0.1:$PORT/echo"
    jq -e '.ok' <<<"$output"
    for fmt in text jsonl json; do
        v -L --format $fmt --progress always --output-dir "$d/bodies" \
            --report junit="$d/r.xml" --report tap="$d/r.tap" --report markdown="$d/r.md" \
            --report json="$d/r.json" "$l" >"$d/out.$fmt" 2>"$d/err.$fmt" || true
        [ -s "$d/out.$fmt" ]
        [ -s "$d/r.xml" ] && [ -s "$d/r.tap" ] && [ -s "$d/r.md" ] && [ -s "$d/r.json" ]
        ! grep -ra s3cr3t "$d" || false
        ! ls -R "$d" | grep -a s3cr3t || false
    done
    v -q -w '%{url} %{url_effective} %{errormsg}\n' -L "$l" >"$d/out.w" || true
    ! grep -a s3cr3t "$d/out.w" || false
    # as libcurl parsed it: the password's place is kept
    jq -se 'map(select(.seq == 1))[0] | .url == "http:///user:***@127.0.0.1:'"$PORT"'/ok" and .ok' "$d/out.jsonl"
    [ "$(jq -s 'map(select(.error.kind == "input")) | length' "$d/out.jsonl")" -eq 4 ]
    [ "$(jq -s 'map(select(.error.kind == "input") | .url | contains("***")) | all' "$d/out.jsonl")" = true ]
    [ "$(ls "$d/bodies" | wc -l)" -ge 3 ]
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
