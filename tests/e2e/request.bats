#!/usr/bin/env bats
# request.bats: curl's request options, redirects (http/https only), the
# body size limit, name overrides and proxies.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

# last_echo: what the fixture's /echo last received (method, path, body, headers)
last_echo() { curl -s --max-time 5 "$BASE/last-echo"; }

@test "-H adds headers, -A sets the User-Agent (default volley/VERSION)" {
    run v -q --url "$BASE/echo"
    [ "$status" -eq 0 ]
    [ "$(last_echo | jq -r '.headers["User-Agent"]')" = "volley/$("$VOLLEY" --version | sed -n '1s/volley //p')" ]
    run v -q -H "X-Test: one" -H "X-Other: two" -A "agent/9" --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.method == "GET" and .headers["X-Test"] == "one" and .headers["X-Other"] == "two" and .headers["User-Agent"] == "agent/9"'
}

@test "-X, -d (joined with &), --data-binary and -I reach the server as curl sends them" {
    run v -q -w '%{method}' -X PUT -d "a=1" -d "b=2" --url "$BASE/echo"
    [ "$output" = PUT ]
    last_echo | jq -e '.method == "PUT" and .body == "a=1&b=2"'
    printf 'x\r\ny\n' >"$BATS_TEST_TMPDIR/body"
    run v -q -w '%{method}' -d "@$BATS_TEST_TMPDIR/body" --url "$BASE/echo"
    [ "$output" = POST ]
    last_echo | jq -e '.method == "POST" and .body == "xy" and .headers["Content-Type"] == "application/x-www-form-urlencoded"'
    run v -q --data-binary "@$BATS_TEST_TMPDIR/body" --data-binary "z" --url "$BASE/echo"
    last_echo | jq -e '.body == "x\r\ny\n&z"'
    run v -q -w '%{http_code} %{size_download} %{method}' -I --url "$BASE/bytes/500"
    [ "$output" = "200 0 HEAD" ]
    run v -q -I --url "$BASE/echo"
    last_echo | jq -e '.method == "HEAD"'
}

@test "a header value with CR or LF is a usage error; -H 'Name;' sends an empty header" {
    run v -q -H $'X-Bad: a\nb' --url "$BASE/echo"
    [ "$status" -eq 2 ]
    run v -q -H 'X-Empty;' --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.headers["X-Empty"] == ""'
}

@test "redirects: not followed by default, followed with -L, capped by --max-redirs" {
    run v -q --json --url "$BASE/redirect/3"
    [ "$status" -eq 0 ]
    jq -e '.http_code == 302 and .ok and .num_redirects == 0' <<<"$output"
    run v -q --json -L --url "$BASE/redirect/3"
    [ "$status" -eq 0 ]
    jq -e --arg u "$BASE/redirect/0" '.http_code == 200 and .num_redirects == 3 and .url_effective == $u and .url != $u' <<<"$output"
    run v -q --json -L --max-redirs 2 --url "$BASE/redirect/3"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "protocol" and .error.code == 47' <<<"$output"
    run v -q --json -L --url "$BASE/redirect-loop"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "protocol" and .error.code == 47 and .num_redirects == 10' <<<"$output"
}

@test "a redirect to a non-http scheme is refused (kind protocol)" {
    for target in "ftp://127.0.0.1/x" "file:///etc/passwd" "gopher://127.0.0.1/"; do
        enc=$(jq -rn --arg u "$target" '$u|@uri')
        run v -q --json -L --url "$BASE/redirect-to?url=$enc"
        [ "$status" -eq 3 ]
        jq -e '.error.kind == "protocol" and .error.code == 1 and .http_code == 302' <<<"$output"
    done
}

@test "after a 302 with -L a POST becomes a GET, as in curl" {
    enc=$(jq -rn --arg u "/echo" '$u|@uri')
    run v -q -w '%{http_code} %{num_redirects} %{method}' -L -d x=1 --url "$BASE/redirect-to?url=$enc"
    [ "$output" = "200 1 POST" ]
    last_echo | jq -e '.method == "GET" and .body == ""'
    run v -q -L -d x=1 --url "$BASE/redirect-to?url=$enc&status=307"
    last_echo | jq -e '.method == "POST" and .body == "x=1"'
}

@test "--max-filesize: a larger body fails with too_large (with and without Content-Length)" {
    run v -q --json --max-filesize 1000 --url "$BASE/bytes/100000" --url "$BASE/chunked/100000" --url "$BASE/bytes/1000"
    [ "$status" -eq 3 ]
    [ "$(jq -s 'map(select(.error.kind == "too_large")) | length' <<<"$output")" -eq 2 ]
    [ "$(jq -s 'map(select(.error.kind == "too_large")) | all(.error.code == 63 and .ok == false)' <<<"$output")" = true ]
    [ "$(jq -s 'map(select(.url|endswith("/bytes/1000")))[0].ok' <<<"$output")" = true ]
    run v -q --json --max-filesize 1k --url "$BASE/bytes/1025"
    jq -e '.error.kind == "too_large"' <<<"$output"
}

@test "--max-filesize stops a 1 GB body early" {
    run v -q --json -m 20 --max-filesize 1M --url "$BASE/chunked/1000000000"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "too_large" and .size_download <= 2000000 and .time_total < 10' <<<"$output"
}

@test "--resolve and --connect-to send a name to 127.0.0.1 without DNS" {
    run v -q -w '%{http_code} %{remote_ip}' --resolve "volley.test:$PORT:127.0.0.1" --url "http://volley.test:$PORT/ok"
    [ "$status" -eq 0 ]
    [ "$output" = "200 127.0.0.1" ]
    run v -q -w '%{http_code} %{remote_ip}' --connect-to "other.test:80:127.0.0.1:$PORT" --url "http://other.test/ok"
    [ "$status" -eq 0 ]
    [ "$output" = "200 127.0.0.1" ]
}

@test "-x sends requests through the proxy (a refused proxy is a connect error)" {
    run v -q --json -x http://127.0.0.1:9 --url "http://volley.invalid/ok"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "connect" and .error.code == 7' <<<"$output"
    # the fixture as a forward proxy: it sees the absolute URL and answers it
    run v -q -w '%{http_code}' -x "$BASE" --url "http://volley.invalid/ok"
    [ "$output" = 200 ]
    run env http_proxy="$BASE" "$VOLLEY" -q -w '%{http_code}' --url "http://volley.invalid/ok"
    [ "$output" = 200 ]
}

@test "--http1.1 and --compressed" {
    run v -q -w '%{http_version}' --http1.1 --url "$BASE/ok"
    [ "$output" = "1.1" ]
    run v -q --url "$BASE/echo"
    last_echo | jq -e '.headers["Accept-Encoding"] == null'
    run v -q --compressed --url "$BASE/echo"
    last_echo | jq -e '.headers["Accept-Encoding"] | test("gzip")' 
}

# accepted_on P: connections the fixture has accepted on port P
accepted_on() { curl -s --max-time 5 "$BASE/stats" | jq ".by_port[\"$1\"].accepted"; }

@test "--deny-private: refused addresses fail as 'denied' before any packet; allowed ones connect" {
    # loopback first: only when it is refused are the outside ones tried
    # (should the guard fail, nothing leaves the machine)
    before=$(accepted_on "$PORT")
    run v -q --json --deny-private --resolve "lo.test:$PORT:127.0.0.1" --url "http://lo.test:$PORT/ok"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "denied" and .error.code == null and .attempts == 1 and .num_connects == 0 and
           .error.message == "refused by --deny-private: 127.0.0.1 (loopback)"' <<<"$output"
    # the stats request itself is the one connection more
    [ "$(accepted_on "$PORT")" -eq $((before + 1)) ]

    before=$(accepted_on "$PORT")
    run v -q --json --deny-private --retry 2 --retry-all-errors --retry-delay 0.01 \
        --resolve "v6.test:$PORT:[::1]" --resolve "ten.test:$PORT:10.0.0.1" \
        --resolve "meta.test:$PORT:169.254.169.254" --resolve "ula.test:$PORT:[fd00::1]" \
        --resolve "mapped.test:$PORT:[::ffff:127.0.0.1]" --resolve "two.test:$PORT:127.0.0.1,10.0.0.1" \
        --url "http://v6.test:$PORT/ok" --url "http://ten.test:$PORT/ok" --url "http://meta.test:$PORT/ok" \
        --url "http://ula.test:$PORT/ok" --url "http://mapped.test:$PORT/ok" --url "http://two.test:$PORT/ok" \
        --url "http://127.0.0.1:$PORT/ok"
    [ "$status" -eq 3 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 7 ]
    [ "$(jq -s 'all(.error.kind == "denied" and .attempts == 1 and .num_connects == 0 and .time_connect == 0)' <<<"$output")" = true ]
    jq -se 'map({(.url | sub("^http://"; "") | sub(":.*"; "")): .error.message}) | add |
        .["v6.test"] == "refused by --deny-private: ::1 (loopback)" and
        .["ten.test"] == "refused by --deny-private: 10.0.0.1 (private)" and
        .["meta.test"] == "refused by --deny-private: 169.254.169.254 (cloud metadata)" and
        .["ula.test"] == "refused by --deny-private: fd00::1 (unique-local)" and
        .["mapped.test"] == "refused by --deny-private: ::ffff:127.0.0.1 (loopback, IPv4 in IPv6)" and
        (.["two.test"] | endswith(" and 1 more address"))' <<<"$output"
    [ "$(accepted_on "$PORT")" -eq $((before + 1)) ]

    # allowed: --allow-address lets one loopback address through (127.0.0.2,
    # the fixture's second listener); a redirect from there to a refused
    # address is checked again
    before=$(accepted_on "$PORT")
    run v -q --json -L --order input --deny-private --allow-address 127.0.0.2/32 \
        --resolve "ok.test:$PORT2:127.0.0.2" --resolve "lo.test:$PORT:127.0.0.1" \
        --url "http://ok.test:$PORT2/ok" --url "http://ok.test:$PORT2/redirect-to?url=http://lo.test:$PORT/ok"
    [ "$status" -eq 3 ]
    jq -se '.[0].ok and .[0].remote_ip == "127.0.0.2"' <<<"$output"
    jq -se '.[1].error.kind == "denied" and .[1].http_code == 302 and .[1].error.message == "refused by --deny-private: 127.0.0.1 (loopback)"' <<<"$output"
    [ "$(accepted_on "$PORT")" -eq $((before + 1)) ]
    # without --deny-private the same run connects
    run v -q --json --resolve "lo.test:$PORT:127.0.0.1" --url "http://lo.test:$PORT/ok"
    [ "$status" -eq 0 ]
}

@test "--deny-private with a proxy (-x or the environment) is a usage error; --allow-address needs it" {
    run v -q --deny-private -x "http://127.0.0.1:$PORT" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--deny-private cannot be combined with a proxy (-x)"* ]]
    for var in http_proxy https_proxy HTTPS_PROXY all_proxy ALL_PROXY; do
        run env "$var=http://127.0.0.1:$PORT" "$VOLLEY" -q --deny-private --url "$BASE/ok"
        [ "$status" -eq 2 ]
        [[ "$output" == *"($var is set)"* ]]
    done
    # no proxy after all: -x '' and no_proxy='*'
    run env http_proxy="http://127.0.0.1:$PORT" "$VOLLEY" -q --deny-private -x '' --url "http://127.0.0.1:$PORT/ok"
    [ "$status" -eq 3 ]
    run env http_proxy="http://127.0.0.1:$PORT" no_proxy='*' "$VOLLEY" -q --deny-private --url "http://127.0.0.1:$PORT/ok"
    [ "$status" -eq 3 ]
    run v -q --allow-address 127.0.0.2 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    run v -q --deny-private --allow-address 127.0.0.2/40 --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--allow-address '127.0.0.2/40'"* ]]
}
