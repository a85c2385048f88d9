#!/usr/bin/env bats
# lint.bats: the tests themselves hold no assertion that cannot fail. Under
# bats' `set -e` a line `! CMD` never fails a test (bash does not exit on a
# negated pipeline), and `[ A ] && [ B ]` does not fail it when A is false
# (only the last command of an && list can end the shell). Write
# `! CMD || false`, and one test per line. No server needed.

DIR="$BATS_TEST_DIRNAME/.."
NEGATION='^[[:space:]]*![[:space:]]'
FAILS='\|\|[[:space:]]*false[[:space:]]*$'
CHAIN='^[[:space:]]*\[\[?[[:space:]].*\]\]?[[:space:]]*&&[[:space:]]*\[.*\][[:space:]]*$'

# bare_negations FILE...: the `! CMD` lines without `|| false`
bare_negations() {
    grep -nE "$NEGATION" "$@" | grep -vE "$FAILS" || true
}

# chained_tests FILE...: the `[ A ] && [ B ]` lines (`[ A ] && break` is a
# condition, not an assertion)
chained_tests() {
    grep -nE "$CHAIN" "$@" || true
}

files() {
    printf '%s\n' "$DIR"/e2e/*.bats "$DIR"/e2e/*.bash "$DIR"/scaleout/*.sh
}

@test "no bare '! CMD' line: each negation ends in '|| false'" {
    mapfile -t f < <(files)
    [ "$(bare_negations "${f[@]}")" = "" ]
}

@test "no '[ A ] && [ B ]' line: one test per line" {
    mapfile -t f < <(files)
    [ "$(chained_tests "${f[@]}")" = "" ]
}

@test "the checks above find what they are meant to find" {
    t="$BATS_TEST_TMPDIR/t.bats"
    printf '%s\n' '    ! grep -q x "$f"' '    ! grep -q x "$f" || false' '    [ "$a" = 1 ] && [ "$b" = 2 ]' \
        '    [[ $a = 1 ]] && [[ $b = 2 ]]' '    [ "$a" = 1 ] && want=2' '    [ -s "$o" ] && [ "$n" -ge 3 ] && break' >"$t"
    [ "$(bare_negations "$t")" = '1:    ! grep -q x "$f"' ]
    [ "$(chained_tests "$t" | cut -d: -f1 | tr '\n' ' ')" = "3 4 " ]
}
