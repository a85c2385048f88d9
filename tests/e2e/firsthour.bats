#!/usr/bin/env bats
# firsthour.bats: the README's "Your first hour" block, run exactly as it is
# printed (taken from between its first-hour markers), in a folder of its
# own whose build/ holds the binaries under test. Only when 127.0.0.1:8080 is
# taken on this machine is the port changed, to one free now. A safety net
# ends the block's fixture server by its PID if the block stops early.

load helpers

setup() {
    README="$BATS_TEST_DIRNAME/../../README.md"
    cd "$BATS_TEST_TMPDIR"
    mkdir build
    ln -s "${VOLLEY_UNWRAPPED:-$VOLLEY}" build/volley
    ln -s "$FIXTURE" build/volley-fixture
    sed -n '/^<!-- first-hour:begin -->$/,/^<!-- first-hour:end -->$/p' "$README" |
        sed '1,2d;$d' | sed '$d' >block.sh
}

# A port nobody listens on now: the fixture's own pick (port 0), ended.
free_port() {
    "$FIXTURE" --listen 127.0.0.1:0 --max-seconds 5 >port.txt &
    local pid=$! i
    for i in $(seq 1 100); do [ -s port.txt ] && break; sleep 0.05; done
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    head -n 1 port.txt
}

@test "the README's first hour runs as printed" {
    # the block is there and is what the README says it is
    [ "$(head -c 2 block.sh)" = "# " ]
    [ "$(tail -n 1 block.sh)" = 'kill "$fixture"' ]
    grep -q 'build/volley first.txt' block.sh
    if (: >/dev/tcp/127.0.0.1/8080) 2>/dev/null; then
        sed -i "s/127\.0\.0\.1:8080/127.0.0.1:$(free_port)/g" block.sh
    fi
    run bash -c 'trap '\''[ -z "${fixture:-}" ] || kill "$fixture" 2>/dev/null'\'' EXIT; . ./block.sh'
    # the first list: four records, the 404 one failed, then its exit status
    # (and the CI check's two records: five 200s in all)
    [ "$(grep -c '^200 0\.[0-9]* [0-9]* http://127\.0\.0\.1:[0-9]*/\(ok\|json\|delay/300\)$' <<<"$output")" -eq 5 ]
    # at least the server's 300 ms (more on a loaded machine: CI saw 0.4)
    [ "$(grep -c '^200 0\.[3-9][0-9]* 3 http://127\.0\.0\.1:[0-9]*/delay/300$' <<<"$output")" -eq 1 ]
    [ "$(grep -c '^404 0\.[0-9]* 11 http://127\.0\.0\.1:[0-9]*/status/404 http: HTTP status outside 2xx/3xx$' <<<"$output")" -eq 1 ]
    [[ "$output" == *"volley: 4 URLs in "* ]]
    [[ "$output" == *"exit 1"* ]]
    # the JSON Lines through jq: four objects, one not ok
    [ "$(grep -c '^{"url":"http://127\.0\.0\.1:[0-9]*/[a-z0-9/]*","http_code":[0-9]*,"ok":\(true\|false\)}$' <<<"$output")" -eq 4 ]
    [ "$(grep -c '"ok":false}$' <<<"$output")" -eq 1 ]
    # the CI check: passed, and its JUnit report says so
    [ "$(tail -n 1 <<<"$output")" = "exit 0" ]
    grep -q '<testsuites name="volley" tests="2" failures="0" errors="0"' smoke.xml
    [ "$status" -eq 0 ]
}
