#!/usr/bin/env bats
# tls.bats: TLS verification on by default, -k, --cacert and --capath,
# client certificates, pinning, TLS versions and ciphers, and HTTP/2 over TLS
# through nginx multiplexing many URLs on one connection.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
    NGX="$BATS_FILE_TMPDIR/nginx"
    read -r TLS_PORT HTTP_PORT H2C_PORT < <("$NGINX_SH" start "$NGX")
    TLS12_PORT=$(cat "$NGX/tls12.port")
    export NGX TLS_PORT HTTP_PORT H2C_PORT TLS12_PORT
}
teardown_file() { "$NGINX_SH" stop "$NGX" || true; }

@test "a self-signed certificate fails by default (kind tls, exit 3)" {
    run v -q --json --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls" and (.error.code == 60 or .error.code == 35) and .http_code == 0' <<<"$output"
}

@test "-k skips verification" {
    run v -q --json -k --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 0 ]
    jq -e '.ok and .size_download == 1024 and .time_appconnect > 0' <<<"$output"
}

@test "--cacert verifies against the given CA" {
    run v -q --json --cacert "$NGX/ca.pem" --url "https://127.0.0.1:$TLS_PORT/1k" --url "https://localhost:$TLS_PORT/100k"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'all(.ok) and (map(.size_download) | sort == [1024, 102400])' <<<"$output")" = true ]
}

@test "HTTP/2 over TLS: http_version 2 and one connection for many URLs" {
    for i in $(seq 1 200); do echo "https://127.0.0.1:$TLS_PORT/1k?i=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --json -j 50 --cacert "$NGX/ca.pem" "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 200 ]
    [ "$(jq -s 'all(.http_version == "2" and .size_download == 1024)' <<<"$output")" = true ]
    [ "$(jq -s 'map(.num_connects) | add' <<<"$output")" -eq 1 ]
}

@test "--http1.1 over TLS keeps HTTP/1.1; --http2 negotiates 2; plain HTTP stays 1.1" {
    run v -q -w '%{http_version}\n' --http1.1 --cacert "$NGX/ca.pem" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$output" = "1.1" ]
    run v -q -w '%{http_version}\n' --url "http://127.0.0.1:$HTTP_PORT/1k"
    [ "$output" = "1.1" ]
    run v -q -w '%{http_version} %{http_code}\n' --http2 --cacert "$NGX/ca.pem" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$output" = "2 200" ]
}

@test "--http2-prior-knowledge speaks HTTP/2 over plain TCP" {
    # one URL: libcurl 7.88 (curl --parallel too) fails the next request on a
    # reused prior-knowledge connection to nginx 1.22 with "Error in the HTTP2
    # framing layer"; that is libcurl's, not volley's
    run v -q -w '%{http_version} %{http_code}' --http2-prior-knowledge --url "http://127.0.0.1:$H2C_PORT/1k"
    [ "$status" -eq 0 ]
    [ "$output" = "2 200" ]
    # without it, HTTP/1.1 to a server that only speaks HTTP/2 fails
    run v -q --json --url "http://127.0.0.1:$H2C_PORT/1k"
    [ "$status" -ne 0 ]
}

@test "--compressed: the server's gzip is decoded for checks and hashes" {
    want=$(sha256sum "$NGX/www/100k" | cut -d' ' -f1)
    run v -q --json --compressed --include-headers --sha256 --url "http://127.0.0.1:$HTTP_PORT/100k"
    [ "$status" -eq 0 ]
    # size_download counts the bytes as they came (compressed), as curl's does
    jq -e --arg h "$want" '.headers["Content-Encoding"] == "gzip" and .size_download < 102400 and .body_sha256 == $h' <<<"$output"
    # --expect-size judges size_download, as the record shows it
    run v -q --compressed --expect-size 102400 --url "http://127.0.0.1:$HTTP_PORT/100k"
    [ "$status" -eq 1 ]
    # without it, nothing is compressed
    run v -q --json --include-headers --url "http://127.0.0.1:$HTTP_PORT/100k"
    jq -e '.headers["Content-Encoding"] == null and .size_download == 102400' <<<"$output"
}

@test "--cert and --key present a client certificate; a password after ':'; --cert-type" {
    u="https://127.0.0.1:$TLS12_PORT/mtls"
    run v -q --json --include-body --cacert "$NGX/ca.pem" --url "$u"
    [ "$status" -eq 1 ]
    jq -e '.http_code == 403' <<<"$output"
    run v -q --json --include-body --cacert "$NGX/ca.pem" --cert "$NGX/client.pem" --key "$NGX/client.key" --url "$u"
    [ "$status" -eq 0 ]
    jq -e '.http_code == 200 and .body == "client CN=volley test client\n"' <<<"$output"
    run v -q -w '%{http_code}' --cacert "$NGX/ca.pem" --cert "$NGX/client.pem:clientpw" --key "$NGX/client-pass.key" --url "$u"
    [ "$output" = 200 ]
    run v -q --json --cacert "$NGX/ca.pem" --cert "$NGX/client.pem:wrong" --key "$NGX/client-pass.key" --url "$u"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls" and .error.code == 58' <<<"$output"
    [[ "$output" != *wrong* ]]
    # the files are DER for --cert-type DER: PEM files do not load then
    run v -q --json --cacert "$NGX/ca.pem" --cert-type der --cert "$NGX/client.pem" --key "$NGX/client.key" --url "$u"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls" and .error.code == 58' <<<"$output"
    run v -q --cert "$NGX/missing.pem" --url "$u"
    [ "$status" -eq 2 ]
    [[ "$output" == *"cannot read --cert"* ]]
    run v -q --cert "$NGX/client.pem" --key "$NGX/missing.key" --url "$u"
    [ "$status" -eq 2 ]
    run v -q --cert-type PFX --url "$u"
    [ "$status" -eq 2 ]
}

@test "--tlsv1.2 and --tlsv1.3 set the least TLS version; --ciphers the TLS 1.2 ciphers" {
    run v -q --json --cacert "$NGX/ca.pem" --tlsv1.3 --url "https://127.0.0.1:$TLS12_PORT/1k"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls"' <<<"$output"
    run --separate-stderr v -q -v -w '%{http_code}' --cacert "$NGX/ca.pem" --tlsv1.3 --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$output" = 200 ]
    grep -q 'SSL connection using TLSv1.3' <<<"$stderr"
    run v -q -w '%{http_code}' --cacert "$NGX/ca.pem" --tlsv1.2 --url "https://127.0.0.1:$TLS12_PORT/1k"
    [ "$output" = 200 ]
    # the server's key is EC: an RSA-only cipher list cannot be agreed
    run v -q --json --cacert "$NGX/ca.pem" --ciphers ECDHE-RSA-AES128-GCM-SHA256 --url "https://127.0.0.1:$TLS12_PORT/1k"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls"' <<<"$output"
    run --separate-stderr v -q -v -w '%{http_code}' --cacert "$NGX/ca.pem" --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 --url "https://127.0.0.1:$TLS12_PORT/1k"
    [ "$output" = 200 ]
    grep -q 'SSL connection using TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256' <<<"$stderr"
}

@test "--pinnedpubkey: the server's public key, as sha256//HASH or a file" {
    openssl x509 -in "$NGX/server.pem" -pubkey -noout | openssl pkey -pubin -outform der >"$BATS_TEST_TMPDIR/pub.der"
    pin=$(openssl dgst -sha256 -binary "$BATS_TEST_TMPDIR/pub.der" | base64)
    run v -q -w '%{http_code}' --cacert "$NGX/ca.pem" --pinnedpubkey "sha256//$pin" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$output" = 200 ]
    run v -q -w '%{http_code}' --cacert "$NGX/ca.pem" --pinnedpubkey "$BATS_TEST_TMPDIR/pub.der" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$output" = 200 ]
    other=$(openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 2>/dev/null |
        openssl pkey -pubout -outform der | openssl dgst -sha256 -binary | base64)
    run v -q --json --cacert "$NGX/ca.pem" --pinnedpubkey "sha256//$other" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 3 ]
    jq -e '.error.kind == "tls" and .error.code == 90' <<<"$output"
    run v -q --pinnedpubkey "$BATS_TEST_TMPDIR/missing.der" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 2 ]
}

@test "--capath verifies against a directory of hashed CA certificates" {
    mkdir "$BATS_TEST_TMPDIR/cas"
    cp "$NGX/ca.pem" "$BATS_TEST_TMPDIR/cas/"
    openssl rehash "$BATS_TEST_TMPDIR/cas"
    run v -q -w '%{http_code}' --capath "$BATS_TEST_TMPDIR/cas" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 0 ]
    [ "$output" = 200 ]
    run v -q --capath "$BATS_TEST_TMPDIR/nope" --url "https://127.0.0.1:$TLS_PORT/1k"
    [ "$status" -eq 2 ]
    [[ "$output" == *"--capath"* ]]
}
