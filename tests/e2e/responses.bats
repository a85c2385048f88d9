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
