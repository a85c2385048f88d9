#!/usr/bin/env bats
# flags.bats: the curl flags a curl user reaches for, each against the
# fixture: credentials (-u, --basic/--digest/--anyauth, --oauth2-bearer,
# --netrc*, --proxy-user, --noproxy), --header-for and its redirects,
# cookies (-b, -c), -e, -v, -D, the body options (-F, --data-urlencode,
# --data-raw, -G, --url-query), the connection options, injection and
# secrets.

load helpers
bats_require_minimum_version 1.5.0

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

last_echo() { curl -s --max-time 5 "$BASE/last-echo"; }
# the Basic token of USER:PASS
basic() { printf '%s' "$1" | base64 -w0; }

@test "-u sends Basic by default; --digest and --anyauth as libcurl offers them" {
    run v -q -w '%{http_code}' --url "$BASE/basic-auth/al/pw"
    [ "$output" = 401 ]
    run v -q -w '%{http_code}' -u al:pw --url "$BASE/basic-auth/al/pw"
    [ "$status" -eq 0 ]
    [ "$output" = 200 ]
    run v -q -w '%{http_code}' -u al:wrong --url "$BASE/basic-auth/al/pw"
    [ "$output" = 401 ]
    # Digest needs --digest (or --anyauth, which asks the server first)
    run v -q -w '%{http_code}' -u al:pw --url "$BASE/digest-auth/al/pw"
    [ "$output" = 401 ]
    run v -q -w '%{http_code}' --digest -u al:pw --url "$BASE/digest-auth/al/pw"
    [ "$output" = 200 ]
    run v -q -w '%{http_code} ' --anyauth -u al:pw --url "$BASE/digest-auth/al/pw" --url "$BASE/basic-auth/al/pw"
    [ "$output" = "200 200 " ]
    # the last of --basic, --digest, --anyauth wins
    run v -q -w '%{http_code}' --digest --basic -u al:pw --url "$BASE/basic-auth/al/pw"
    [ "$output" = 200 ]
    # volley cannot ask for a password
    run v -q -u al --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--user needs USER:PASSWORD"* ]]
}

@test "--oauth2-bearer sends the token as Authorization: Bearer" {
    run v -q --oauth2-bearer t0ken-123 --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.headers.Authorization == "Bearer t0ken-123"'
    run v -q --url "$BASE/echo"
    last_echo | jq -e '.headers.Authorization == null'
}

@test "--netrc, --netrc-file, --netrc-optional: curl's meaning, the file checked first" {
    home="$BATS_TEST_TMPDIR/home"
    mkdir -p "$home"
    printf 'machine 127.0.0.1 login al password pw\n' >"$BATS_TEST_TMPDIR/creds"
    run env HOME="$home" "$VOLLEY" -q -w '%{http_code}' --netrc-file "$BATS_TEST_TMPDIR/creds" --url "$BASE/basic-auth/al/pw"
    [ "$output" = 200 ]
    # --netrc requires ~/.netrc: without one, nothing is fetched
    stats_reset
    run env HOME="$home" "$VOLLEY" -q --netrc --url "$BASE/basic-auth/al/pw"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read --netrc $home/.netrc"* ]]
    [ "$(stats requests)" -eq 0 ]
    # --netrc-optional goes on without it
    run env HOME="$home" "$VOLLEY" -q -w '%{http_code}' --netrc-optional --url "$BASE/basic-auth/al/pw"
    [ "$status" -eq 1 ]
    [ "$output" = 401 ]
    cp "$BATS_TEST_TMPDIR/creds" "$home/.netrc"
    run env HOME="$home" "$VOLLEY" -q -w '%{http_code} ' --netrc --url "$BASE/basic-auth/al/pw"
    [ "$output" = "200 " ]
    run env HOME="$home" "$VOLLEY" -q -w '%{http_code} ' --netrc-optional --url "$BASE/basic-auth/al/pw"
    [ "$output" = "200 " ]
    # without any of them, ~/.netrc is not read
    run env HOME="$home" "$VOLLEY" -q -w '%{http_code}' --url "$BASE/basic-auth/al/pw"
    [ "$output" = 401 ]
    run v -q --netrc-file "$BATS_TEST_TMPDIR/missing" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read --netrc-file"* ]]
}

@test "--proxy-user authenticates to the proxy; --noproxy bypasses it" {
    # the fixture on 127.0.0.2 serves as the proxy: it takes absolute-form targets
    run v -q -x "http://127.0.0.2:$PORT2" --proxy-user pu:pp --url "http://made.up.example/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e --arg b "Basic $(basic pu:pp)" '.headers.Host == "made.up.example" and .headers["Proxy-Authorization"] == $b'
    curl -s "$BASE/log/reset" >/dev/null
    run v -q -x "http://127.0.0.2:$PORT2" --url "$BASE/ok"
    run v -q -x "http://127.0.0.2:$PORT2" --noproxy 127.0.0.1 --url "$BASE/ok"
    run v -q -x "http://127.0.0.2:$PORT2" --noproxy '*' --url "$BASE/ok"
    # the ports that received them: the proxy's, then twice the origin's
    [ "$(curl -s "$BASE/log" | jq -c 'map(.port)')" = "[$PORT2,$PORT,$PORT]" ]
    # --noproxy replaces no_proxy from the environment
    curl -s "$BASE/log/reset" >/dev/null
    run env no_proxy=127.0.0.1 "$VOLLEY" -q -x "http://127.0.0.2:$PORT2" --noproxy other.example --url "$BASE/ok"
    [ "$(curl -s "$BASE/log" | jq -c 'map(.port)')" = "[$PORT2]" ]
}

@test "--header-for: a header sent only to the hosts its pattern matches" {
    run v -q --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/echo"
    last_echo | jq -e '.headers["X-Key"] == "k3y"'
    run v -q --header-for '127.0.0.1=X-Key: k3y' --url "http://127.0.0.2:$PORT2/echo"
    last_echo | jq -e '.headers["X-Key"] == null'
    # *.DOMAIN: any name under DOMAIN, not DOMAIN itself; any case
    r=(--resolve "a.b.example:$PORT:127.0.0.1" --resolve "b.example:$PORT:127.0.0.1")
    run v -q "${r[@]}" --header-for '*.B.example=X-W: 1' --url "http://a.b.example:$PORT/echo"
    last_echo | jq -e '.headers["X-W"] == "1"'
    run v -q "${r[@]}" --header-for '*.b.example=X-W: 1' --url "http://b.example:$PORT/echo"
    last_echo | jq -e '.headers["X-W"] == null'
    # it replaces a -H header of the same name for its hosts; a spec's header wins over both
    run v -q -H 'X-Key: all' --header-for '127.0.0.1=X-Key: mine' --url "$BASE/echo"
    last_echo | jq -e '.headers["X-Key"] == "mine"'
    run v -q -H 'X-Key: all' --header-for '127.0.0.1=X-Key: mine' --url "http://127.0.0.2:$PORT2/echo"
    last_echo | jq -e '.headers["X-Key"] == "all"'
    printf '{"url":"%s/echo","headers":{"X-Key":"spec"}}\n' "$BASE" >"$BATS_TEST_TMPDIR/s.txt"
    run v -q --header-for '127.0.0.1=X-Key: mine' "$BATS_TEST_TMPDIR/s.txt"
    last_echo | jq -e '.headers["X-Key"] == "spec"'
    run v -q --header-for 'a:80=X: 1' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    run v -q --header-for '*.*.x=X: 1' --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

@test "--header-for: never after a redirect to another host; the record stays true" {
    other=$(jq -rn --arg u "http://127.0.0.2:$PORT2/echo" '$u|@uri')
    run v -q --json -L -u al:pw --header-for '127.0.0.1=X-Key: k3y' -H 'X-All: 1' --url "$BASE/redirect-to?url=$other"
    [ "$status" -eq 0 ]
    # the other host got the -H header but neither X-Key nor the credentials
    last_echo | jq -e '.headers.Host == "127.0.0.2:'"$PORT2"'" and .headers["X-All"] == "1" and .headers["X-Key"] == null and .headers.Authorization == null'
    jq -e --arg u "http://127.0.0.2:$PORT2/echo" --arg first "$BASE/redirect-to?url=$other" '
        .http_code == 200 and .num_redirects == 1 and .url_effective == $u and .url == $first
        and .time_redirect > 0 and .time_total >= .time_redirect and .num_connects == 2' <<<"$output"
    # the same host keeps it (and the credentials), over any number of hops
    run v -q --json -L -u al:pw --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/redirect-to?url=%2Fredirect-to%3Furl%3D%252Fecho"
    last_echo | jq -e --arg b "Basic $(basic al:pw)" '.headers["X-Key"] == "k3y" and .headers.Authorization == $b'
    jq -e '.num_redirects == 2 and .http_code == 200' <<<"$output"
    # after a 302 a POST becomes a GET, as when libcurl follows
    run v -q -w '%{method} %{num_redirects}' -L -d x=1 --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/redirect-to?url=%2Fecho"
    [ "$output" = "POST 1" ]
    last_echo | jq -e '.method == "GET" and .body == ""'
    # --max-redirs, as libcurl counts them
    run v -q --json -L --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/redirect-loop"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "protocol" and .error.code == 47 and .num_redirects == 10 and .http_code == 302' <<<"$output"
    run v -q --json -L --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/redirect-to?url=ftp%3A%2F%2F127.0.0.1%2Fx"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "protocol" and .error.code == 1 and .http_code == 302' <<<"$output"
    # without -L nothing is followed
    run v -q --json --header-for '127.0.0.1=X-Key: k3y' --url "$BASE/redirect-to?url=$other"
    jq -e '.http_code == 302 and .num_redirects == 0' <<<"$output"
}

@test "-b and -c: one cookie jar for the run, shared by every transfer, written at exit" {
    jar="$BATS_TEST_TMPDIR/jar"
    run v -q -j 1 -c "$jar" --url "$BASE/set-cookie?sid=abc1" --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.headers.Cookie == "sid=abc1"'
    grep -q $'^127.0.0.1\tFALSE\t/\tFALSE\t0\tsid\tabc1$' "$jar"
    [ "$(stat -c %a "$jar")" = 600 ]
    # transfers in parallel on their own handles fill the one jar
    run v -q -j 3 -c "$jar" --url "$BASE/set-cookie?a=1" --url "$BASE/set-cookie?b=2" --url "$BASE/set-cookie?c=3"
    [ "$(grep -c $'^127.0.0.1\t' "$jar")" -eq 3 ]
    # -b FILE reads it; -b NAME=VALUE strings are sent too
    run v -q -b "$jar" -b 'x=9; y=8' --url "$BASE/echo"
    last_echo | jq -e '.headers.Cookie | test("x=9; y=8") and test("a=1") and test("b=2") and test("c=3")'
    # without -b nothing is sent
    run v -q --url "$BASE/echo"
    last_echo | jq -e '.headers.Cookie == null'
    # a -b file that does not exist is a usage error, unless it is the -c jar too
    run v -q -b "$BATS_TEST_TMPDIR/nope" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    run v -q -b "$BATS_TEST_TMPDIR/new" -c "$BATS_TEST_TMPDIR/new" --url "$BASE/set-cookie?n=1"
    [ "$status" -eq 0 ]
    grep -q $'\tn\t1$' "$BATS_TEST_TMPDIR/new"
    run v -q -c "$BATS_TEST_TMPDIR/no/such/dir/jar" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    # a cancelled run writes its jar too
    run v -q -j 2 -c "$BATS_TEST_TMPDIR/cut" --deadline 1 --url "$BASE/set-cookie?dl=1" --url "$BASE/hang"
    [ "$status" -eq 124 ]
    grep -q $'\tdl\t1$' "$BATS_TEST_TMPDIR/cut"
}

@test "-e sets the Referer; ;auto sets it after a redirect" {
    run v -q -e "http://from.example/page" --url "$BASE/echo"
    last_echo | jq -e '.headers.Referer == "http://from.example/page"'
    run v -q -L -e ';auto' --url "$BASE/redirect-to?url=%2Fecho"
    last_echo | jq -e --arg r "$BASE/redirect-to?url=%2Fecho" '.headers.Referer == $r'
    run v -q -L --url "$BASE/redirect-to?url=%2Fecho"
    last_echo | jq -e '.headers.Referer == null'
    # with volley following (--header-for) too
    run v -q -L -e ';auto' --header-for '127.0.0.1=X: 1' --url "$BASE/redirect-to?url=%2Fecho"
    last_echo | jq -e --arg r "$BASE/redirect-to?url=%2Fecho" '.headers.Referer == $r'
}

@test "-v: libcurl's trace on stderr, each line after its record's [seq], no bodies" {
    run --separate-stderr v -q -v -j 2 --url "$BASE/echo" --url "$BASE/bytes/300"
    [ "$status" -eq 0 ]
    [ "$(wc -l <<<"$output")" -eq 2 ] # stdout: the records only
    # every line of stderr is a whole trace line of seq 1 or 2
    [ -n "$stderr" ]
    if grep -vE '^\[[12]\] [*<>{}]' <<<"$stderr"; then return 1; fi
    grep -qx '\[1\] > GET /echo HTTP/1.1' <<<"$stderr"
    grep -qx '\[2\] > GET /bytes/300 HTTP/1.1' <<<"$stderr"
    grep -qx '\[2\] < HTTP/1.1 200 OK' <<<"$stderr"
    grep -qx '\[2\] { \[300 bytes data\]' <<<"$stderr"
    # no body bytes: /echo's JSON and /bytes' pattern are not in the trace
    if grep -q '"method"\|abcdefghij' <<<"$stderr"; then return 1; fi
    # the lines of one transfer are together and in order
    [ "$(grep '^\[1\]' <<<"$stderr" | head -1)" = "$(grep -m1 '^\[1\]' <<<"$stderr")" ]
    # without -v nothing of it
    run --separate-stderr v -q --url "$BASE/echo"
    [ -z "$stderr" ]
    # every attempt of a retry is traced
    run --separate-stderr v -q -v --retry 1 --retry-delay 0.1 --url "$BASE/flaky/1/v$BATS_TEST_NUMBER"
    [ "$status" -eq 0 ]
    [ "$(grep -cx "\[1\] > GET /flaky/1/v$BATS_TEST_NUMBER HTTP/1.1" <<<"$stderr")" -eq 2 ]
    grep -qx '\[1\] < HTTP/1.1 503 Service Unavailable' <<<"$stderr"
}

@test "-D: every response's headers, each block after its [seq] and URL" {
    run v -q -L -j 1 -D "$BATS_TEST_TMPDIR/h.txt" --url "$BASE/redirect/1" --url "$BASE/status/404"
    [ "$status" -eq 1 ]
    printf '%s\n' "[1] $BASE/redirect/1" "HTTP/1.1 302 Found" "Server: volley-fixture" \
        "Content-Type: text/plain" "Content-Length: 9" "Location: /redirect/0" "" \
        "[1] $BASE/redirect/0" "HTTP/1.1 200 OK" "Server: volley-fixture" \
        "Content-Type: text/plain" "Content-Length: 3" "" \
        "[2] $BASE/status/404" "HTTP/1.1 404 Not Found" "Server: volley-fixture" \
        "Content-Type: text/plain" "Content-Length: 11" "" >"$BATS_TEST_TMPDIR/want"
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/h.txt"
    # each run starts the file anew
    run v -q -D "$BATS_TEST_TMPDIR/h.txt" --url "$BASE/ok"
    [ "$(grep -c '^\[' "$BATS_TEST_TMPDIR/h.txt")" -eq 1 ]
    run v -q -D "$BATS_TEST_TMPDIR/no/dir/h.txt" --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

@test "-F: NAME=TEXT, NAME=@FILE, NAME=<FILE as curl sends them" {
    printf 'file body' >"$BATS_TEST_TMPDIR/up.txt"
    printf 'from <' >"$BATS_TEST_TMPDIR/lt.txt"
    run v -q -w '%{method}' -F 'name="a;b"' -F "f=@$BATS_TEST_TMPDIR/up.txt;type=text/x-test" \
        -F "t=<$BATS_TEST_TMPDIR/lt.txt" --url "$BASE/echo"
    [ "$output" = POST ]
    echo="$(last_echo)"
    jq -e '.headers["Content-Type"] | startswith("multipart/form-data; boundary=")' <<<"$echo"
    body=$(jq -r .body <<<"$echo" | tr -d '\r')
    grep -qx 'Content-Disposition: form-data; name="name"' <<<"$body"
    grep -qx 'a;b' <<<"$body"
    grep -qx 'Content-Disposition: form-data; name="f"; filename="up.txt"' <<<"$body"
    grep -qx 'Content-Type: text/x-test' <<<"$body"
    grep -qx 'file body' <<<"$body"
    grep -qx 'from <' <<<"$body"
    run v -q -F "f=@$BATS_TEST_TMPDIR/missing" --url "$BASE/echo"
    [ "$status" -eq 2 ]
    run v -q -F 'a=b;bogus=1' --url "$BASE/echo"
    [ "$status" -eq 2 ]
    run v -q -F 'a=b' -d x --url "$BASE/echo"
    [ "$status" -eq 2 ]
}

@test "--data-urlencode (curl's five forms) and --data-raw" {
    printf 'a b\n' >"$BATS_TEST_TMPDIR/t.txt"
    run v -q --data-urlencode 'x y' --data-urlencode '=c&d' --data-urlencode 'n=e f' \
        --data-urlencode "@$BATS_TEST_TMPDIR/t.txt" --data-urlencode "m@$BATS_TEST_TMPDIR/t.txt" \
        --data-raw '@raw' -d 'p=1' --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.method == "POST" and .body == "x%20y&c%26d&n=e%20f&a%20b%0A&m=a%20b%0A&@raw&p=1"'
    run v -q --data-urlencode "m@$BATS_TEST_TMPDIR/missing" --url "$BASE/echo"
    [ "$status" -eq 2 ]
}

@test "-G sends the data in the query; --url-query appends to every URL's query" {
    run v -q --json -G -d 'x=1' --data-urlencode 'y=a b' --url "$BASE/echo?z=0"
    [ "$status" -eq 0 ]
    jq -e --arg u "$BASE/echo?z=0" '.method == "GET" and .url == $u and .url_effective == $u + "&x=1&y=a%20b"' <<<"$output"
    last_echo | jq -e '.method == "GET" and .path == "/echo?z=0&x=1&y=a%20b" and .body == ""'
    run v -q -j 1 --url-query 'q=a b' --url-query '+r=a/b' --url "$BASE/echo" --url "$BASE/json"
    [ "$(curl -s "$BASE/log" | jq -r '.[-2:] | map(.path) | join(" ")')" = "/echo?q=a%20b&r=a/b /json?q=a%20b&r=a/b" ]
    # with -G and -I: a HEAD with the query
    run v -q -G -I -d 'k=v' --url "$BASE/echo"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.method == "HEAD" and .path == "/echo?k=v"'
}

@test "--interface and --local-port choose where connections come from" {
    run v -q --include-body --json --interface 127.0.0.2 --url "$BASE/peer"
    [ "$status" -eq 0 ]
    jq -e '.body | fromjson | .addr == "127.0.0.2"' <<<"$output"
    run v -q --include-body --json --url "$BASE/peer"
    jq -e '.body | fromjson | .addr == "127.0.0.1"' <<<"$output"
    run v -q --include-body --json --local-port 41000-41020 --url "$BASE/peer"
    jq -e '.body | fromjson | .port >= 41000 and .port <= 41020' <<<"$output"
    run v -q --local-port 0 --url "$BASE/peer"
    [ "$status" -eq 2 ]
    run v -q --local-port 9-3 --url "$BASE/peer"
    [ "$status" -eq 2 ]
}

@test "-4 and -6 choose the address family" {
    r=(--resolve "dual.test:$PORT:::1,127.0.0.1")
    # both families are tried without them (::1 first, refused)
    run --separate-stderr v -q -v "${r[@]}" --url "http://dual.test:$PORT/ok"
    grep -q 'Trying \[::1\]' <<<"$stderr"
    run --separate-stderr v -q -v -4 "${r[@]}" --url "http://dual.test:$PORT/ok"
    [ "$status" -eq 0 ]
    grep -q 'Trying 127.0.0.1' <<<"$stderr"
    if grep -q 'Trying \[::1\]' <<<"$stderr"; then return 1; fi
    # the fixture listens on IPv4 only: -6 cannot reach it
    run --separate-stderr v -q -v --json -6 "${r[@]}" --url "http://dual.test:$PORT/ok"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "connect"' <<<"$output"
    grep -q 'Trying \[::1\]' <<<"$stderr"
    if grep -q 'Trying 127.0.0.1' <<<"$stderr"; then return 1; fi
}

@test "--limit-rate caps each transfer's speed" {
    run v -q --json --limit-rate 1M --url "$BASE/bytes/3145728"
    [ "$status" -eq 0 ]
    # 3 MiB at 1 MiB/s: about 3 s; libcurl 7.88 reads up to ~1.6 MB in one
    # go before it waits, so at least 1 s (without it, a few ms)
    jq -e '.size_download == 3145728 and .time_total >= 1.0' <<<"$output"
    run v -q --limit-rate 16x --url "$BASE/ok"
    [ "$status" -eq 2 ]
}

# keepalive_of ARGS...: the keepalive timer of volley's connection to /hang
# while it is open ("none" without one).
keepalive_of() {
    (vexec -q -m 10 "$@" --url "$BASE/hang" >/dev/null) &
    local pid=$! line=""
    wait_for bash -c "ss -tnoH state established '( dport = :$PORT )' | grep -q ."
    line=$(ss -tnoH state established "( dport = :$PORT )")
    kill "$pid"
    wait "$pid" || true
    if [[ $line =~ timer:\(keepalive,([0-9.]+)(min|sec) ]]; then
        if [ "${BASH_REMATCH[2]}" = min ]; then echo 60; else echo "${BASH_REMATCH[1]%%.*}"; fi
    else
        echo none
    fi
}

@test "--keepalive-time and --no-keepalive set TCP keepalive (on by default, 60 s, as in curl)" {
    command -v ss >/dev/null || skip "no ss (iproute2)"
    k=$(keepalive_of)
    [ "$k" != none ] && [ "$k" -le 60 ] && [ "$k" -gt 30 ]
    k=$(keepalive_of --keepalive-time 7)
    [ "$k" != none ] && [ "$k" -le 7 ]
    [ "$(keepalive_of --no-keepalive)" = none ]
}

@test "--path-as-is sends /../ and /./ as given" {
    run v -q -w '%{http_code}' --url "$BASE/x/../ok"
    [ "$output" = 200 ]
    [ "$(curl -s "$BASE/log" | jq -r '.[-1].path')" = /ok ]
    run v -q -w '%{http_code}' --path-as-is --url "$BASE/x/./../ok"
    [ "$output" = 404 ]
    [ "$(curl -s "$BASE/log" | jq -r '.[-1].path')" = /x/./../ok ]
}

@test "control characters in request values are usage errors: nothing reaches the wire" {
    stats_reset
    for args in "-A|x"$'\r\n'"X-Injected: 1" "-X|GET"$'\r\n' "-e|http://a/"$'\n'"X: 1" \
        "-u|a:b"$'\r\n'"X: 1" "--oauth2-bearer|t"$'\r\n'"X: 1" "-H|X-A: 1"$'\r\n'"X-B: 2" \
        "-H|X-A"$'\x01'": 1" "--header-for|127.0.0.1=X-A: 1"$'\n'"X: 2" "-A|x"$'\x7f' \
        "--proxy-user|a:b"$'\n'; do
        run v -q "${args%%|*}" "${args#*|}" --url "$BASE/echo"
        [ "$status" -eq 2 ] || { echo "accepted: $args"; return 1; }
        [[ "$output" == *"control characters"* ]]
    done
    [ "$(stats requests)" -eq 0 ]
    # a tab is a legal header value byte
    run v -q -H $'X-T: a\tb' --url "$BASE/echo"
    [ "$status" -eq 0 ]
    # a request spec's method or header with one is an input record, not a request
    {
        printf '{"url":"%s/echo","method":"GET\\r\\nX: 1"}\n' "$BASE"
        printf '{"url":"%s/echo","headers":{"X-A":"1\\r\\nX-Injected: 1"}}\n' "$BASE"
        printf '{"url":"%s/echo","headers":{"X\\u0001":"1"}}\n' "$BASE"
    } >"$BATS_TEST_TMPDIR/specs.txt"
    stats_reset
    run v -q --json "$BATS_TEST_TMPDIR/specs.txt"
    [ "$status" -eq 3 ]
    [ "$(jq -s 'length == 3 and all(.error.kind == "input")' <<<"$output")" = true ]
    [ "$(stats requests)" -eq 0 ]
}

@test "--include-headers shows Set-Cookie as ***" {
    # %63 is "c": the value is not in the URL
    run v -q --json --include-headers --url "$BASE/set-cookie?sid=s3%63r3tcookie"
    jq -e '.headers["Set-Cookie"] == "***"' <<<"$output"
    [[ "$output" != *s3cr3tcookie* ]]
}

@test "secrets never appear: records, reports, -v, -D, --output-dir names, messages, summary" {
    pw=Pw-s3cret-1 tok=T0k-s3cret-2 hk=Hk-s3cret-3 ck=Ck-s3cret-4 sc=Sc-s3cret-5 upw=Up-s3cret-6 pu=Px-s3cret-7
    sc_url=Sc-s3cre%74-5 # the Set-Cookie value, not as such in the URL
    secrets=("$pw" "$tok" "$hk" "$ck" "$sc" "$upw" "$pu" "$(basic "al:$pw")" "$(basic "pp:$pu")")
    d="$BATS_TEST_TMPDIR/out"
    mkdir -p "$d"
    other=$(jq -rn --arg u "http://127.0.0.2:$PORT2/status/500" '$u|@uri')
    urls=(--url "$BASE/set-cookie?sid=$sc_url" --url "$BASE/headers" --url "$BASE/status/503"
        --url "http://al:$upw@127.0.0.1:$PORT/ok" --url "$BASE/redirect-to?url=$other"
        --url "http://127.0.0.1:$SILENT_PORT/x")
    for auth in "-u al:$pw" "--oauth2-bearer $tok"; do
        # shellcheck disable=SC2086
        common=($auth --header-for "127.0.0.1=X-Api-Key: $hk" -b "c=$ck" -H "Cookie: d=$ck"
            -x "http://127.0.0.1:$PORT" --proxy-user "pp:$pu" -L -j 3 -m 1 --include-headers)
        run --separate-stderr v --json -v -D "$d/dump.txt" --output-dir "$d/bodies" \
            --report "json=$d/r.json" --report "junit=$d/r.xml" --report "markdown=$d/r.md" \
            --report "tap=$d/r.tap" "${common[@]}" "${urls[@]}"
        printf '%s\n' "$output" >"$d/stdout"
        printf '%s\n' "$stderr" >"$d/stderr"
        [ "$(wc -l <"$d/stdout")" -eq 6 ]
        grep -q 'Authorization: \*\*\*' "$d/stderr"
        grep -q 'X-Api-Key: \*\*\*' "$d/stderr"
        grep -q 'Set-Cookie: \*\*\*' "$d/dump.txt"
        # the text format and the summary
        run --separate-stderr v "${common[@]}" "${urls[@]}"
        printf '%s\n%s\n' "$output" "$stderr" >"$d/text"
        ls -R "$d/bodies" >"$d/names"
        for s in "${secrets[@]}"; do
            if grep -rlF -- "$s" "$d/stdout" "$d/stderr" "$d/dump.txt" "$d"/r.* "$d/text" "$d/names"; then
                echo "secret $s leaked (with $auth)"
                return 1
            fi
        done
    done
    # nor in usage errors
    run v -q -u "al-only-$pw" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" != *"$pw"* ]]
    run v -q --oauth2-bearer "$tok"$'\n' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" != *"$tok"* ]]
    run v -q --header-for "127.0.0.1=X-K: $hk"$'\r' --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [[ "$output" != *"$hk"* ]]
}
