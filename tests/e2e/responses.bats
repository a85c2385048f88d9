#!/usr/bin/env bats
# responses.bats: hostile responses cannot stall the loop: a regex check is
# bounded in steps in all (JIT or not), whatever the body; every run here is
# bounded in time so that a regression fails instead of hanging.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

@test "--expect-body: a catastrophic regex on a long body fails its check, soon (JIT and interpreter)" {
    for re in '(a+)+$' '(*NO_JIT)(a+)+$'; do
        # many a's and a b: exponential backtracking at the first position
        run timeout 20 "$VOLLEY" -q --json --max-body 2M --expect-body "$re" \
            --url "$BASE/repeat/200000/a?then=b"
        [ "$status" -eq 1 ]
        jq -e --arg re "$re" '.error.kind == "check" and .checks == [{"check":"body","expected":$re,"actual":"regex over its match limit"}]' <<<"$output"
        # just under PCRE2's own per-position limit at each of 360000 positions
        run timeout 20 "$VOLLEY" -q --json --max-body 2M --expect-body "$re" \
            --url "$BASE/repeat/20000/aaaaaaaaaaaaaaaaax"
        [ "$status" -eq 1 ]
        jq -e '.checks[0].actual == "regex over its match limit"' <<<"$output"
    done
    # the run goes on: the next URL is checked as usual
    run timeout 20 "$VOLLEY" -q --json -j 1 --expect-body '(a+)+$' \
        --url "$BASE/repeat/20000/aaaaaaaaaaaaaaaaax" --url "$BASE/repeat/3/a"
    [ "$(jq -s 'map(.ok) == [false, true]' <<<"$output")" = true ]
}

@test "--expect-header: a catastrophic regex on a header value fails its check, soon" {
    run timeout 20 "$VOLLEY" -q --json --expect-header 'X-Big: (x+)+[^x]' --url "$BASE/big-header/60000"
    [ "$status" -eq 1 ]
    jq -e '.checks[0].actual == "regex over its match limit"' <<<"$output"
}

@test "--include-headers is linear in the response: three responses of 30000 header lines in 10 s (30 s before)" {
    run timeout 10 "$VOLLEY" -q --json -j 2 --include-headers --expect-header 'X-M: ^nope$' \
        --url "$BASE/many-headers/30000" --url "$BASE/many-headers/30000?b" \
        --url "$BASE/many-headers/30000?c"
    [ "$status" -eq 1 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 3 ]
    # every name, in order of first appearance, the repeated one's values joined
    jq -s -e 'all(.[]; (.headers | length) == 15004 and (.headers | keys_unsorted)[3:6] == ["X-M","X-1","X-3"]
              and (.headers["X-M"] | startswith("0, 2, 4, 6, 8, 0, 2")) and .headers["X-29999"] == "9"
              and .checks[0].check == "header")' <<<"$output"
}

@test "--include-headers and header checks never show Set-Cookie, Cookie, Authorization, Proxy-Authorization values" {
    d="$BATS_TEST_TMPDIR"
    run v -q --json --include-headers --expect-header 'Set-Cookie: ^nope' --expect-header 'Cookie: x' \
        --report "junit=$d/r.xml" --report "tap=$d/r.tap" --report "markdown=$d/r.md" \
        --url "$BASE/secret-headers"
    [ "$status" -eq 1 ]
    jq -e '.headers == {"Server":"volley-fixture","Content-Type":"text/plain","Content-Length":"3",
                        "Set-Cookie":"***","Authorization":"***","proxy-authorization":"***",
                        "Cookie":"***","X-Visible":"shown"}' <<<"$output"
    jq -e '.checks == [{"check":"header","expected":"Set-Cookie: ^nope","actual":"***, ***"},
                       {"check":"header","expected":"Cookie: x","actual":"***"}]' <<<"$output"
    ! grep -q s3cret <<<"$output" || false
    ! grep -q s3cret "$d/r.xml" "$d/r.tap" "$d/r.md" || false
    run v -q --expect-header 'Set-Cookie: ^nope' --url "$BASE/secret-headers"
    [[ "$output" == *"check: header Set-Cookie: ^nope != ***, ***" ]]
    # a check still sees the real value
    run v -q --expect-header 'Set-Cookie: ^other=s3cret2$' --url "$BASE/secret-headers"
    [ "$status" -eq 0 ]
}
