#!/usr/bin/env bats
# reports.bats: --report junit/tap/markdown/json from one run, checked with
# real parsers (xmllint against the JUnit schema, Python's XML parser, prove,
# jq), the summary with percentiles, and the progress line in a real
# pseudo-terminal.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

XSD="$BATS_TEST_DIRNAME/../unit/junit.xsd"

run_reports() {
    d="$BATS_TEST_TMPDIR"
    {
        echo "$BASE/ok"
        echo "$BASE/status/404"
        echo "http://127.0.0.1:9/refused"
        echo "ftp://x/<&>\"'"
        echo "$BASE/delay/50"
    } >"$d/l.txt"
    run v -q --report "junit=$d/r.xml" --report "tap=$d/r.tap" --report "markdown=$d/r.md" \
        --report "json=$d/r.json" --expect-header 'Server: fixture' "$d/l.txt"
}

@test "JUnit: valid against the schema a CI server reads, one testcase per URL" {
    command -v xmllint >/dev/null || skip "no xmllint"
    run_reports
    [ "$status" -eq 3 ]
    xmllint --noout --schema "$XSD" "$d/r.xml"
    [ "$(xmllint --xpath 'count(//testcase)' "$d/r.xml")" -eq 5 ]
    [ "$(xmllint --xpath 'string(//testsuite/@tests)' "$d/r.xml")" -eq 5 ]
    [ "$(xmllint --xpath 'count(//testcase/failure)' "$d/r.xml")" -eq 1 ]
    [ "$(xmllint --xpath 'count(//testcase/error)' "$d/r.xml")" -eq 2 ]
    python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert len(r.findall(".//testcase")) == 5' "$d/r.xml"
}

@test "JUnit: one test name per record: two requests to one URL are two tests, a spec's id names its test" {
    command -v xmllint >/dev/null || skip "no xmllint"
    d="$BATS_TEST_TMPDIR"
    {
        echo "$BASE/ok"
        echo "$BASE/ok"
        echo '{"url":"'"$BASE"'/ok","method":"POST","data":"x"}'
        echo '{"url":"'"$BASE"'/status/500","id":"login \u00e9"}'
    } >"$d/l.txt"
    run v -q -j 1 --report "junit=$d/r.xml" "$d/l.txt"
    [ "$status" -eq 1 ]
    xmllint --noout --schema "$XSD" "$d/r.xml"
    names=$(xmllint --xpath '//testcase/@name' "$d/r.xml" | sed 's/^ *name="//; s/"$//' | sort)
    [ "$names" = "$(printf '%s\n' "GET $BASE/ok ($d/l.txt:1)" "GET $BASE/ok ($d/l.txt:2)" \
        "POST $BASE/ok ($d/l.txt:3)" "login é")" ]
    [ "$(xmllint --xpath 'count(//testcase[@name=preceding-sibling::testcase/@name])' "$d/r.xml")" -eq 0 ]
}

@test "TAP: prove accepts the file and counts the failures" {
    command -v prove >/dev/null || skip "no prove"
    run_reports
    run prove -e cat "$d/r.tap"
    [ "$status" -ne 0 ]
    [[ "$output" == *"Failed 3/5 subtests"* ]]
    grep -q '^1\.\.5$' "$d/r.tap"
    # all passing: prove passes
    run v -q --report "tap=$d/ok.tap" --url "$BASE/ok" --url "$BASE/ok?2"
    run prove -e cat "$d/ok.tap"
    [ "$status" -eq 0 ]
}

@test "Markdown: counts, latency percentiles and a table of failures" {
    run_reports
    grep -q '^### volley: 3 of 5 URLs failed' "$d/r.md"
    grep -q '| latency | p50 | p90 | p99 | max |' "$d/r.md"
    grep -q '#### Failures' "$d/r.md"
    grep -q '/status/404' "$d/r.md"
    [ "$(grep -c '^| ' "$d/r.md")" -ge 6 ]
}

@test "JSON report: the summary object with counts, bytes, status classes and latency" {
    run_reports
    jq -e '.urls == 5 and .ok == 2 and .failed == 3 and .errors.input == 1 and .errors.connect == 1
           and .status["2xx"] == 2 and .latency.p50 > 0 and .latency.max >= .latency.p90' "$d/r.json"
}

@test "a bad --report is a usage error before anything is fetched" {
    stats_reset
    run v -q --report "xml=$BATS_TEST_TMPDIR/x" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    run v -q --report "junit=/proc/nonexistent/x.xml" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$(stats requests)" -eq 0 ]
}

@test "the summary on stderr: counts by kind and status class, bytes, percentiles" {
    run bash -c '"$VOLLEY" --url "$BASE/bytes/1000" --url "$BASE/status/503" --url "http://127.0.0.2:$PORT2/ok" 2>&1 >/dev/null'
    [[ "${lines[0]}" == "volley: 3 URLs in "* ]]
    [[ "$output" == *"ok 2, failed 1: 1 http"* ]]
    [[ "$output" == *"status: 2xx 2, 5xx 1"* ]]
    [[ "$output" == *"latency: p50 "*" p90 "*" p99 "*" max "* ]]
    [[ "$output" == *"slowest hosts"* ]]
}

@test "progress: drawn on a TTY's stderr, never on stdout, not when stderr is not a TTY" {
    command -v script >/dev/null || skip "no script(1)"
    for i in $(seq 1 30); do echo "$BASE/delay/100?p=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    # stdout to a file; stderr is the pseudo-terminal
    run script -qec "\"$VOLLEY\" -j 2 --progress auto \"$BATS_TEST_TMPDIR/l.txt\" >\"$BATS_TEST_TMPDIR/out\"" /dev/null
    [[ "$output" == *"/30 URLs"* ]]
    [[ "$output" == *"in flight"* ]]
    [[ "$output" != *"200 0."* ]]
    [ "$(lines "$BATS_TEST_TMPDIR/out")" -eq 30 ]
    # -q: no progress either
    run script -qec "\"$VOLLEY\" -j 2 -q --progress auto \"$BATS_TEST_TMPDIR/l.txt\" >/dev/null" /dev/null
    [[ "$output" != *"in flight"* ]]
    ! grep -q "in flight" "$BATS_TEST_TMPDIR/out" || false
    # stderr not a TTY: nothing, unless --progress always
    run bash -c '"$VOLLEY" -j 2 "$BATS_TEST_TMPDIR/l.txt" 2>&1 >/dev/null'
    [[ "$output" != *"in flight"* ]]
    run bash -c '"$VOLLEY" -j 2 --progress always "$BATS_TEST_TMPDIR/l.txt" 2>&1 >/dev/null'
    [[ "$output" == *"in flight"* ]]
}

@test "progress and records on one terminal: the line is erased before each record and drawn again after" {
    command -v script >/dev/null || skip "no script(1)"
    for i in $(seq 1 6); do echo "$BASE/delay/300?p=$i"; done >"$BATS_TEST_TMPDIR/l.txt"
    # stdout and stderr are both the pseudo-terminal; 1.8 s: drawn several times
    script -qec "\"$VOLLEY\" -j 1 --color never --format text \"$BATS_TEST_TMPDIR/l.txt\"" /dev/null \
        </dev/null >"$BATS_TEST_TMPDIR/tty"
    grep -q "in flight" "$BATS_TEST_TMPDIR/tty"
    # what each terminal line shows in the end: the text after its last erase
    tr -d '\r' <"$BATS_TEST_TMPDIR/tty" | sed 's/.*\x1b\[K//' >"$BATS_TEST_TMPDIR/shown"
    [ "$(grep -c '^200 0\.[0-9]* 3 http://.*/delay/300?p=[1-6]$' "$BATS_TEST_TMPDIR/shown")" -eq 6 ]
    ! grep 'in flight.*http://' "$BATS_TEST_TMPDIR/shown" || false
    # and the line is gone at the end: the summary starts a line of its own
    grep -q '^volley: 6 URLs in ' "$BATS_TEST_TMPDIR/shown"
}

@test "a bad --report leaves the report files of the good ones as they were" {
    echo "keep me" >"$BATS_TEST_TMPDIR/a.xml"
    run v -q --report "junit=$BATS_TEST_TMPDIR/a.xml" --report "nope=$BATS_TEST_TMPDIR/b" --url "$BASE/ok"
    [ "$status" -eq 2 ]
    [ "$(cat "$BATS_TEST_TMPDIR/a.xml")" = "keep me" ]
    run v -q --report "junit=$BATS_TEST_TMPDIR/a.xml" --url "$BASE/ok"
    [ "$status" -eq 0 ]
    ! grep -q "keep me" "$BATS_TEST_TMPDIR/a.xml" || false
}
