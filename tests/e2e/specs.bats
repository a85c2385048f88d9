#!/usr/bin/env bats
# specs.bats: JSON request spec lines: url, method, headers, data, id;
# bad specs are input records and the run goes on.

load helpers

setup_file() { fixture_start; }
teardown_file() { fixture_stop; }

last_echo() { curl -s --max-time 5 "$BASE/last-echo"; }

@test "a spec's method, headers, data and id" {
    line='{"url": "'"$BASE"'/echo", "method": "PUT", "headers": {"X-A": "1"}, "data": "k=v", "id": 7}'
    run v -q --json -H "X-B: run" --url "$line"
    [ "$status" -eq 0 ]
    jq -e '.id == 7 and .method == "PUT" and .ok' <<<"$output"
    last_echo | jq -e '.method == "PUT" and .body == "k=v" and .headers["X-A"] == "1" and .headers["X-B"] == "run"'
}

@test "data without a method means POST; the spec's header wins over -H" {
    printf '%s\n' '{"url":"'"$BASE"'/echo","data":"a","headers":{"X-B":"spec"},"id":"s1"}' >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --json -H "X-B: run" "$BATS_TEST_TMPDIR/l.txt"
    jq -e '.id == "s1" and .method == "POST"' <<<"$output"
    last_echo | jq -e '.method == "POST" and .body == "a" and .headers["X-B"] == "spec"'
}

@test "plain lines after a spec use the run's options again (handle reuse)" {
    {
        echo '{"url":"'"$BASE"'/echo","method":"DELETE","headers":{"X-S":"1"}}'
        echo "$BASE/echo"
    } >"$BATS_TEST_TMPDIR/l.txt"
    run v -q -j 1 --json "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 0 ]
    last_echo | jq -e '.method == "GET" and .headers["X-S"] == null'
    [ "$(jq -s 'map(.method) == ["DELETE","GET"]' <<<"$output")" = true ]
}

@test "bad specs are input records, the run goes on" {
    {
        echo '{"url": "'"$BASE"'/ok", "bogus": 1}'
        echo '{"url": 5}'
        echo '{"method": "GET"}'
        echo '{"url": "'"$BASE"'/ok"'
        echo '{"url": "ftp://x/"}'
        echo '{"url": "'"$BASE"'/ok", "headers": {"X": "a\r\nb"}}'
        echo '{"url": "'"$BASE"'/ok", "id": 1} trailing'
        echo '{"url": "'"$BASE"'/ok", "id": {"nested": true}}'
        echo "$BASE/ok"
    } >"$BATS_TEST_TMPDIR/l.txt"
    run v -q --json "$BATS_TEST_TMPDIR/l.txt"
    [ "$status" -eq 3 ]
    [ "$(jq -s 'length' <<<"$output")" -eq 9 ]
    [ "$(jq -s 'map(select(.error.kind == "input")) | length' <<<"$output")" -eq 8 ]
    [ "$(jq -s 'map(select(.ok)) | length' <<<"$output")" -eq 1 ]
    jq -s -e 'map(select(.seq == 1))[0].error.message | test("bogus")' <<<"$output"
}

@test "a spec's id appears in -w %{json} and keeps its JSON type" {
    run v -q -w '%{json}\n' --url '{"url":"'"$BASE"'/ok","id":null}' --url '{"url":"'"$BASE"'/ok","id":true}'
    [ "$(jq -s 'map(.id) | sort_by(.) == [null, true]' <<<"$output")" = true ]
    [ "$(jq -s 'all(has("id"))' <<<"$output")" = true ]
}

@test "invalid UTF-8 in a spec's id is replaced in the record, and --resume matches it" {
    printf '{"url":"%s/ok","id":"a\xff\xc3(b"}\n{"url":"%s/ok?2","id":"c\xe9"}\n' "$BASE" "$BASE" >"$BATS_TEST_TMPDIR/l"
    v -q --json "$BATS_TEST_TMPDIR/l" >"$BATS_TEST_TMPDIR/out"
    iconv -f UTF-8 -t UTF-8 "$BATS_TEST_TMPDIR/out" >/dev/null
    [ "$(jq -sc 'map(.id) | sort' "$BATS_TEST_TMPDIR/out")" = '["a��(b","c�"]' ]
    # the same lines again: both already done
    run v --json --resume "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 0 ]
    [ -z "$(grep '^{' <<<"$output")" ]
    [[ "$output" == *"skipped 2 already done (--resume)"* ]]
    # reports and -w too
    run v -q -w '%{json}\n' --report junit="$BATS_TEST_TMPDIR/r.xml" "$BATS_TEST_TMPDIR/l"
    iconv -f UTF-8 -t UTF-8 <<<"$output" >/dev/null
    iconv -f UTF-8 -t UTF-8 "$BATS_TEST_TMPDIR/r.xml" >/dev/null
}

@test "a NUL (\\u0000) in any spec string is an input record, not a string cut short" {
    {
        echo '{"url":"'"$BASE"'/ok\u0000/../evil"}'
        echo '{"url":"'"$BASE"'/echo","data":"a\u0000b"}'
        echo '{"url":"'"$BASE"'/echo","headers":{"X-A":"v\u0000w"}}'
        echo '{"url":"'"$BASE"'/ok","id":"i\u0000"}'
        echo '{"url":"'"$BASE"'/ok","data":"a\\u0000"}'
    } >"$BATS_TEST_TMPDIR/l"
    stats_reset
    run v -q --json --order input "$BATS_TEST_TMPDIR/l"
    [ "$status" -eq 3 ]
    [ "$(jq -sc 'map(.error.kind)' <<<"$output")" = '["input","input","input","input",null]' ]
    [ "$(jq -s 'map(select(.error.kind == "input")) | all(.error.message == "NUL (\\u0000) in a request spec string")' <<<"$output")" = true ]
    [ "$(stats requests)" -eq 1 ]
}
