#!/usr/bin/env bats
# completion.bats: the shell completions in completions/ complete for real
# (bash: the function is called as bash's programmable completion would),
# and they know every long option `volley --help` prints. No server needed.

load helpers

COMPLETIONS="$BATS_TEST_DIRNAME/../../completions"

# complete_words WORD...: run _volley in a fresh bash on the command line
# `volley WORD...` (the last WORD is the one being completed, "" for a new
# one) and print COMPREPLY, one candidate a line.
complete_words() {
    # bash's default word breaks, as an interactive shell has them
    local breaks=$' \t\n"\'><=;|&(:'
    bash --norc --noprofile -c '
        source "$1"; COMP_WORDBREAKS=$2; shift 2
        COMP_WORDS=(volley "$@"); COMP_CWORD=$#
        COMP_LINE="volley $*"; COMP_POINT=${#COMP_LINE}
        _volley
        printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETIONS/volley.bash" "$breaks" "$@"
}

# The long options --help lists.
help_options() {
    v --help | grep -oE '^ +(-[A-Za-z], )?--[a-z0-9.-]+' | grep -oE -- '--[a-z0-9.-]+'
}

@test "bash: option names complete (--expect-s)" {
    run complete_words --expect-s
    [ "$status" -eq 0 ]
    grep -qx -- --expect-status <<<"$output"
    grep -qx -- --expect-size <<<"$output"
    grep -qx -- --expect-sha256 <<<"$output"
    [ "$(grep -cx -- --format <<<"$output")" -eq 0 ]
}

@test "bash: --format, --order, --color, --progress, --proto-default values" {
    run complete_words --format ""
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "json jsonl text " ]
    run complete_words --format=js
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "json jsonl " ]
    run complete_words --order ""
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "completion input " ]
    run complete_words --color ""
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "always auto never " ]
    run complete_words --progress a
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "always auto " ]
    run complete_words --proto-default ""
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "http https " ]
}

@test "bash: --report kinds, then a file after KIND=" {
    run complete_words --report ""
    [ "$(sort <<<"$output" | tr '\n' ' ')" = "json= junit= markdown= tap= " ]
    cd "$BATS_TEST_TMPDIR"
    touch results.xml
    run complete_words --report junit=res
    [ "$output" = "results.xml" ]
}

@test "bash: file names for FILE, --cacert, -d @file; directories for --output-dir" {
    cd "$BATS_TEST_TMPDIR"
    mkdir -p outdir
    touch urls.txt ca.pem body.json
    run complete_words ur
    [ "$output" = "urls.txt" ]
    run complete_words --cacert c
    [ "$output" = "ca.pem" ]
    run complete_words -d @bo
    [ "$output" = "@body.json" ]
    run complete_words --output-dir ""
    [ "$output" = "outdir/" ]
}

@test "bash: every long option of --help completes" {
    opts=$(help_options)
    [ "$(wc -l <<<"$opts")" -gt 40 ]
    run complete_words --
    for o in $opts; do
        grep -qx -- "$o" <<<"$output" || { echo "not completed: $o"; return 1; }
    done
}

@test "zsh: _volley is valid zsh and names every long option of --help" {
    for o in $(help_options); do
        # an _arguments spec: '--name[...]', '--name=[...]' or {-x+,--name=}
        grep -qE -- "['{,)*]$o(=?\\[|=?\\})" "$COMPLETIONS/_volley" ||
            { echo "not in _volley: $o"; return 1; }
    done
    command -v zsh >/dev/null || skip "zsh is not installed"
    zsh -n "$COMPLETIONS/_volley"
}
