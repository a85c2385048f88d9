# bash completion for volley(1)                          -*- shell-script -*-
#
# Install as volley in a bash-completion directory, e.g.
#   /usr/share/bash-completion/completions/volley  (cmake --install does)
# or source it from ~/.bashrc. Needs nothing from the bash-completion
# package. Written by hand: keep the option lists in step with
# `volley --help` (tests/e2e/completion.bats checks that they are).

# Long options that take a value, and those that take none.
_volley_opts_arg='--cacert --color --connect-timeout --connect-to --data
    --data-binary --deadline --expect-body --expect-body-contains
    --expect-header --expect-jq --expect-sha256 --expect-size --expect-status
    --expect-time --format --header --max-body --max-fail-ratio --max-failures
    --max-filesize --max-redirs --max-time --order --output-dir --parallel
    --per-host --progress --proto-default --proxy --rate --rate-per-host
    --report --request --resolve --retry --retry-delay --retry-max-delay --url
    --user-agent --write-out'
_volley_opts_flag='--allow-timeouts --compressed --fail --fail-fast --head --help
    --http1.1 --http2 --http2-prior-knowledge --include --include-body
    --include-headers --insecure --json --location --quiet --retry-all-errors
    --sha256 --show-error --silent --version'
# Short options that take a value, and those that take none.
_volley_short_arg='-A -d -H -j -m -w -x -X'
_volley_short_flag='-f -h -I -i -k -L -q -S -s'

# _volley_add PREFIX WORD...: add PREFIX+WORD to COMPREPLY for each WORD.
_volley_add()
{
    local p=$1 w
    shift
    for w in "$@"; do
        COMPREPLY+=("$p$w")
    done
}

# _volley_files PREFIX VALUE [dirs]: file (or directory) names starting
# with VALUE, each preceded by PREFIX (such as "@" or "junit="). Where
# readline sees a bare file name, it quotes it and marks directories
# (-o filenames); elsewhere a directory gets a slash and no space.
_volley_files()
{
    local p=$1 v=$2 f
    local -a found
    if [[ ${3-} == dirs ]]; then
        mapfile -t found < <(compgen -d -- "$v")
    else
        mapfile -t found < <(compgen -f -- "$v")
    fi
    local plain=
    if [[ -z $p || ($p == *= && ${COMP_WORDBREAKS-} == *=*) ]] &&
        compopt -o filenames 2>/dev/null; then
        plain=1
    fi
    for f in "${found[@]}"; do
        if [[ -z $plain && -d $f ]]; then
            COMPREPLY+=("$p$f/")
            _volley_nospace=1
        else
            COMPREPLY+=("$p$f")
        fi
    done
}

# _volley_value OPTION VALUE PREFIX: the values OPTION takes that start with
# VALUE, each preceded by PREFIX. Returns 1 when OPTION takes none.
_volley_value()
{
    local opt=$1 v=$2 p=$3 w
    local -a words=()
    case $opt in
    --format) words=(text jsonl json) ;;
    --order) words=(completion input) ;;
    --color | --progress) words=(auto always never) ;;
    --proto-default) words=(http https) ;;
    -X | --request) words=(GET HEAD POST PUT PATCH DELETE OPTIONS) ;;
    --expect-status) words=('2xx' '200' '200,204' '200-299,301,302' '404') ;;
    --report)
        if [[ $v == @(junit|tap|markdown|json)=* ]]; then
            _volley_files "$p${v%%=*}=" "${v#*=}"
        else
            for w in junit= tap= markdown= json=; do
                [[ $w == "$v"* ]] && COMPREPLY+=("$p$w")
            done
            _volley_nospace=1
        fi
        return 0
        ;;
    -d | --data | --data-binary)
        # @FILE reads a file; anything else is the data itself
        [[ $v == @* ]] && _volley_files "$p@" "${v#@}"
        return 0
        ;;
    --cacert) _volley_files "$p" "$v"; return 0 ;;
    --output-dir) _volley_files "$p" "$v" dirs; return 0 ;;
    *)
        # a value we cannot guess (a number, a URL, a header, a regex...)
        [[ " $_volley_opts_arg $_volley_short_arg " == *[[:space:]]"$opt"[[:space:]]* ]]
        return
        ;;
    esac
    for w in "${words[@]}"; do
        [[ $w == "$v"* ]] && COMPREPLY+=("$p$w")
    done
    return 0
}

_volley()
{
    COMPREPLY=()
    _volley_nospace=
    # Put back together the words bash split at "=" (and "@", where
    # COMP_WORDBREAKS has it), so that --format=js, --report=junit=out.xml
    # and -d @file are seen whole.
    local -a w=()
    local i t n
    for ((i = 0; i <= COMP_CWORD && i < ${#COMP_WORDS[@]}; i++)); do
        t=${COMP_WORDS[i]}
        n=${#w[@]}
        if ((i > 1 && n > 1)) && [[ $t == =* || ${w[n - 1]} == *[=@] ]]; then
            w[n - 1]+=$t
        else
            w+=("$t")
        fi
    done
    ((COMP_CWORD >= ${#COMP_WORDS[@]})) && w+=("")
    n=${#w[@]}
    local cur=${w[n - 1]} prev=
    ((n >= 2)) && prev=${w[n - 2]}

    # Everything after a bare "--" is a FILE.
    for ((i = 1; i < n - 1; i++)); do
        if [[ ${w[i]} == -- ]]; then
            _volley_files "" "$cur"
            _volley_finish "$cur"
            return 0
        fi
    done

    if [[ $cur == --*=* ]]; then
        # --option=value
        _volley_value "${cur%%=*}" "${cur#*=}" "${cur%%=*}="
    elif [[ $prev == -* && $prev != *=* ]] && _volley_value "$prev" "$cur" ""; then
        : # the value of the option before
    elif [[ $cur == -* ]]; then
        local o
        for o in $_volley_opts_arg; do
            [[ $o == "$cur"* ]] && COMPREPLY+=("$o")
        done
        for o in $_volley_opts_flag $_volley_short_arg $_volley_short_flag; do
            [[ $o == "$cur"* ]] && COMPREPLY+=("$o")
        done
    else
        # a URL list (FILE), or - for standard input
        _volley_files "" "$cur"
    fi
    _volley_finish "$cur"
    return 0
}

# _volley_finish CUR: COMPREPLY holds whole words; readline replaces only
# the part of CUR after its last "=" when COMP_WORDBREAKS has "=" (as it
# does by default), so cut that much off the front of each.
_volley_finish()
{
    local cur=$1 pre
    if [[ ${COMP_WORDBREAKS-} == *=* && $cur == *=* ]]; then
        pre=${cur%"${cur##*=}"}
        COMPREPLY=("${COMPREPLY[@]#"$pre"}")
    fi
    if [[ -n $_volley_nospace ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -F _volley volley
