#!/usr/bin/env bats
# cli.bats: the command line end to end: exact option names (no prefixes),
# curl's options that volley lacks, URLs as arguments, connection options
# checked before anything is fetched, -d @- against a list on stdin, the
# open-files limit against -j, and curl's -s, -S, -f and -i.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

last_echo() { curl -s --max-time 5 "$BASE/last-echo"; }

# ---- exact option names --------------------------------------------------

@test "--user is not --user-agent; a shortened name is a usage error, nothing sent" {
    run v -q --user alice:secret --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.headers.Authorization == "Basic YWxpY2U6c2VjcmV0" and (.headers["User-Agent"] | startswith("volley/"))'
    stats_reset
    run v -q --user-ag x --url "$BASE/echo"
    [ "$status" -eq 2 ]
    [ "$output" = "volley: unknown option --user-ag; did you mean --user-agent?" ]
    [ "$(stats requests)" -eq 0 ]
}

@test "--fail is curl's -f (accepted quietly), not --fail-fast" {
    run v -q --json -j 1 --fail --url "$BASE/status/500" --url "$BASE/ok"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'map(select(.error.kind == "cancelled")) | length' <<<"$output")" -eq 0 ]
    [ "$(jq -s 'map(select(.ok)) | length' <<<"$output")" -eq 1 ]
    # --fail-fast itself does cancel the rest
    run v -q --json -j 1 --fail-fast --url "$BASE/status/500" --url "$BASE/ok"
    [ "$(jq -s 'map(select(.error.kind == "cancelled")) | length' <<<"$output")" -eq 1 ]
}

@test "--output x is curl's -o, not --output-dir: a usage error naming --output-dir" {
    stats_reset
    cd "$BATS_TEST_TMPDIR"
    run v -q --output x --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"-o/--output is a curl option that volley does not have"*"--output-dir"* ]]
    [ ! -e x ]
    [ "$(stats requests)" -eq 0 ]
}

@test "a shortened or misspelt option names the closest ones" {
    run v --paral 4 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$output" = "volley: unknown option --paral; did you mean --parallel?" ]
    run v --paralel=4 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$output" = "volley: unknown option --paralel; did you mean --parallel?" ]
    run v --quiet=yes --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$output" = "volley: --quiet takes no value, not 'yes'" ]
}

@test "curl options volley does not have are usage errors that say so" {
    run v -O --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"-O/--remote-name is a curl option that volley does not have"* ]]
    run v --dns-servers 127.0.0.1 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"c-ares, which Debian's is not"* ]]
    run v -kZ --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"-Z is a curl option"*"always parallel: -j"* ]]
}

@test "numbers are decimal: -m 0x10, --retry 1e3, -j 0x10 are usage errors" {
    stats_reset
    run v -m 0x10 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$output" = "volley: --max-time needs seconds (e.g. 2, 0.5 or 30m), not '0x10'" ]
    run v --retry 1e3 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--retry needs a whole number from 0 to 1000, not '1e3'"* ]]
    run v -j 0x10 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--parallel needs a whole number from 1 to 100000, not '0x10'"* ]]
    [ "$(stats requests)" -eq 0 ]
}

# ---- URLs as arguments ---------------------------------------------------

@test "URL arguments are fetched as if given with --url, labelled arg:N" {
    run v -q --json --order input "$BASE/status/201" "$BASE/status/202"
    [ "$status" -eq 0 ]
    [ "$(jq -sc 'map([.input, .http_code])' <<<"$output")" = '[["arg:1",201],["arg:2",202]]' ]
}

@test "URL arguments come first, in argument order among the --url values" {
    echo "$BASE/status/204" >"$BATS_TEST_TMPDIR/list.txt"
    run v -q --json --order input --url "$BASE/status/201" "$BATS_TEST_TMPDIR/list.txt" \
        "$BASE/status/202" --url "$BASE/status/203"
    [ "$status" -eq 0 ]
    [ "$(jq -sc 'map(.http_code)' <<<"$output")" = '[201,202,203,204]' ]
    [ "$(jq -sc 'map(.input)' <<<"$output")" = "[\"arg:1\",\"arg:2\",\"arg:3\",\"$BATS_TEST_TMPDIR/list.txt:1\"]" ]
}

@test "an existing file whose name looks like a URL is still a list" {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p "http:/x"
    echo "$BASE/status/203" >"http:/x/list"
    run v -q --json "http://x/list"
    [ "$status" -eq 0 ]
    jq -e '.input == "http://x/list:1" and .http_code == 203' <<<"$output"
    # only http:// and https:// are URLs: anything else must be a file
    run v -q "ftp://x/"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read ftp://x/"* ]]
}

# ---- connection options --------------------------------------------------

@test "connection options are checked before anything is fetched" {
    stats_reset
    run v -q --resolve foo --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == "volley: --resolve 'foo': "* ]]
    run v -q --resolve "a:99999:127.0.0.1" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"PORT must be a number from 1 to 65535"* ]]
    run v -q --connect-to garbage --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == "volley: --connect-to 'garbage': the form is HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT"* ]]
    run v -q -x 'not a url' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == "volley: --proxy 'not a url' is not a URL"* ]]
    run v -q --cacert "$BATS_TEST_TMPDIR/missing.pem" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == "volley: cannot read --cacert $BATS_TEST_TMPDIR/missing.pem: No such file or directory" ]]
    [ "$(stats requests)" -eq 0 ]
    # the forms libcurl documents still work
    run v -q --json --resolve "made-up.test:$PORT:127.0.0.1" --resolve "+other.test:$PORT:[::1],127.0.0.1" \
        --connect-to "::127.0.0.1:$PORT" --url "http://made-up.test:$PORT/ok"
    [ "$status" -eq 0 ]
    jq -e '.http_code == 200 and .remote_ip == "127.0.0.1"' <<<"$output"
}

# ---- -d @- ---------------------------------------------------------------

@test "-d @- with the URL list on stdin too is a usage error" {
    stats_reset
    run bash -c 'echo "$BASE/echo" | "$VOLLEY" -q -d @-'
    [ "$status" -eq 2 ]
    [[ "$output" == *"-d @- reads standard input, but the URL list is read from there too"* ]]
    run bash -c 'echo "$BASE/echo" | "$VOLLEY" -q --data-binary @- -'
    [ "$status" -eq 2 ]
    [ "$(stats requests)" -eq 0 ]
    # with the list elsewhere, -d @- is the body
    run bash -c 'printf "a=1\n" | "$VOLLEY" -q -d @- "$BASE/echo"'
    [ "$status" -eq 0 ]
    last_echo | jq -e '.method == "POST" and .body == "a=1"'
}

# ---- open files ----------------------------------------------------------

@test "-j above the soft open-files limit raises it (up to the hard limit)" {
    [ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge 300 ] || skip "hard limit below 300"
    for i in $(seq 1 100); do echo "$BASE/delay/500?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    stats_reset
    run bash -c 'ulimit -Sn 64 && exec "$VOLLEY" -q --json -j 100 "$1" 2>"$2"' _ \
        "$BATS_TEST_TMPDIR/l.txt" "$BATS_TEST_TMPDIR/err"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'map(select(.ok)) | length' <<<"$output")" -eq 100 ]
    [ ! -s "$BATS_TEST_TMPDIR/err" ]
    [ "$(stats max_inflight)" -gt 64 ]
}

@test "-j above the hard open-files limit: one warning, -j capped, no false connect failures" {
    for i in $(seq 1 80); do echo "$BASE/delay/300?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    stats_reset
    run bash -c 'ulimit -n 100 && exec "$VOLLEY" -q --json -j 500 "$1" 2>"$2"' _ \
        "$BATS_TEST_TMPDIR/l.txt" "$BATS_TEST_TMPDIR/err"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'map(select(.ok)) | length' <<<"$output")" -eq 80 ]
    [ "$(cat "$BATS_TEST_TMPDIR/err")" = "volley: -j 500 needs about 564 open files, but the limit is 100 (ulimit -n): using -j 36" ]
    [ "$(stats max_inflight)" -le 36 ]
}

# ---- curl's -s, -S, -f, -i -----------------------------------------------

@test "-s is quiet (no summary); -S and -f are accepted; -i puts the headers in the record" {
    run bash -c '"$VOLLEY" --url "$BASE/ok" 2>&1 >/dev/null'
    [[ "$output" == "volley: 1 URL"* ]]
    run bash -c '"$VOLLEY" -s --url "$BASE/ok" 2>&1 >/dev/null'
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    run bash -c '"$VOLLEY" -sS --progress always --url "$BASE/ok" 2>&1 >/dev/null'
    [ -z "$output" ]
    run v -sSf --url "$BASE/status/404" --url "$BASE/ok"
    [ "$status" -eq 1 ]
    [ "${#lines[@]}" -eq 2 ]
    [[ "$output" == *"404 "*"http: HTTP status outside 2xx/3xx"* ]]
    run v -s --json --url "$BASE/ok"
    jq -e 'has("headers") | not' <<<"$output"
    run v -si --json --url "$BASE/ok"
    jq -e '.headers | type == "object"' <<<"$output"
    run v -s --include --json --url "$BASE/ok"
    jq -e '.headers | type == "object"' <<<"$output"
}
