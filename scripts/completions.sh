#!/usr/bin/env bash
# completions.sh: regenerate the option lists of completions/volley.bash and
# completions/_volley from the option table (`volley --help-table`), between
# their "BEGIN generated" and "END generated" lines; the rest of each file is
# written by hand. With --check, change nothing and exit 1 when a file is not
# what the table makes of it (tests/e2e/docs.bats runs that).
#
# Usage: scripts/completions.sh [--check] [--volley PATH] [--dir DIR]
#   PATH defaults to $VOLLEY, then build/volley; DIR to completions/.
set -euo pipefail
cd "$(dirname "$0")/.."

check=
volley=${VOLLEY:-build/volley}
dir=completions
while [ $# -gt 0 ]; do
    case $1 in
    --check) check=1 ;;
    --volley) volley=$2; shift ;;
    --dir) dir=$2; shift ;;
    *) echo "usage: $0 [--check] [--volley PATH] [--dir DIR]" >&2; exit 2 ;;
    esac
    shift
done

table=$("$volley" --help-table)
version=$("$volley" --version | sed -n '1s/^volley //p')

# The bash block: the four word lists and _volley_spec, which names the
# argument (and the fixed values) of each option that takes one.
bash_block() {
    awk -F'\t' -v version="$version" '
    function list(name, words,   n, w, i, out, line) {
        n = split(words, w, " ")
        line = name "=\x27" w[1]
        for (i = 2; i <= n; i++) {
            if (length(line) + 1 + length(w[i]) > 78) {
                out = out line "\n"
                line = "    " w[i]
            } else {
                line = line " " w[i]
            }
        }
        return out line "\x27"
    }
    function dq(s) { gsub(/[\\"$`]/, "\\\\&", s); return "\"" s "\"" }
    {
        long = "--" $1; short = $2; arg = $4; def = $5; choices = $6; ldef = $9
        sub("/" version "$", "/VERSION", def)
        if (arg != "") {
            larg = larg " " long; if (short != "") sarg = sarg " " short
            pat = short != "" ? short " | " long : long
            spec = "    " pat ") _volley_arg=" dq(arg)
            if (choices != "") spec = spec " _volley_choices=(" choices ")"
            spec = spec " ;;"
            if (def != "") spec = spec " # default " def
            if (ldef != "") spec = spec (def != "" ? "; " : " # ") ldef " with --links"
            specs = specs spec "\n"
        } else {
            lflag = lflag " " long; if (short != "") sflag = sflag " " short
        }
    }
    END {
        print "# Long options that take a value, and those that take none."
        print list("_volley_opts_arg", substr(larg, 2))
        print list("_volley_opts_flag", substr(lflag, 2))
        print "# Short options that take a value, and those that take none."
        print list("_volley_short_arg", substr(sarg, 2))
        print list("_volley_short_flag", substr(sflag, 2))
        print ""
        print "# _volley_spec OPTION: for an option that takes a value, set _volley_arg"
        print "# to its argument name and _volley_choices to its values when they are a"
        print "# fixed set; return 1 for an option that takes none."
        print "_volley_spec()"
        print "{"
        print "    _volley_choices=()"
        print "    case $1 in"
        printf "%s", specs
        print "    *) return 1 ;;"
        print "    esac"
        print "}"
    }' <<<"$table"
}

# The zsh block: one _arguments spec per option.
zsh_block() {
    awk -F'\t' -v version="$version" '
    function q(s) { gsub(/\x27/, "\x27\\\x27\x27", s); return s }
    function desc(s) { gsub(/\\/, "\\\\", s); gsub(/\[/, "\\[", s); gsub(/\]/, "\\]", s); return q(s) }
    function msg(s) { gsub(/\\/, "\\\\", s); gsub(/:/, "\\:", s); return q(s) }
    function action(arg, choices) {
        if (choices != "") return "(" choices ")"
        if (arg == "FILE") return "_files"
        if (arg == "DIR") return "_directories"
        if (arg == "URL") return "_urls"
        if (arg == "DATA") return "_volley_data"
        if (arg == "KIND=FILE") return "_volley_report"
        if (arg == "METHOD") return "(GET HEAD POST PUT PATCH DELETE OPTIONS)"
        return " "
    }
    {
        long = "--" $1; short = $2; type = $3; arg = $4; def = $5; choices = $6
        repeat = $7 == "repeat"; help = $8; ldef = $9
        sub("/" version "$", "/VERSION", def)
        d = help
        if (def != "" && ldef != "") d = d " (default " def "; " ldef " with --links)"
        else if (def != "") d = d " (default " def ")"
        else if (ldef != "") d = d " (with --links " ldef ")"
        tail = "[" desc(d) "]"
        if (arg != "") tail = tail ":" msg(arg) ":" action(arg, choices)
        if (type == "custom" && arg == "")
            excl = "(- *)"
        else if (repeat)
            excl = "*"
        else if (short != "")
            excl = "(" short " " long ")"
        else
            excl = ""
        if (short != "")
            names = "{" short (arg != "" ? "+" : "") "," long (arg != "" ? "=" : "") "}"
        else
            names = long (arg != "" ? "=" : "")
        if (short != "")
            printf "  %s%s\x27%s\x27\n", excl != "" ? "\x27" excl "\x27" : "", names, tail
        else
            printf "  \x27%s%s%s\x27\n", excl, names, tail
    }' <<<"$table"
}

# splice FILE BLOCK: FILE with the lines between its markers replaced.
splice() {
    BLOCK=$2 awk '
        /BEGIN generated/ { print; print ENVIRON["BLOCK"]; skip = 1; next }
        /END generated/ { skip = 0 }
        !skip' "$1"
}

status=0
for f in volley.bash _volley; do
    path="$dir/$f"
    grep -q 'BEGIN generated' "$path" && grep -q 'END generated' "$path" ||
        { echo "$path: no generated block" >&2; exit 1; }
    if [ "$f" = volley.bash ]; then block=$(bash_block); else block=$(zsh_block); fi
    new=$(splice "$path" "$block")
    if [ -n "$check" ]; then
        if ! diff -u "$path" <(printf '%s\n' "$new") >&2; then
            echo "$path is not generated from the option table: run scripts/completions.sh" >&2
            status=1
        fi
    else
        printf '%s\n' "$new" >"$path"
    fi
done
exit $status
