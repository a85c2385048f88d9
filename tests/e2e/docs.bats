#!/usr/bin/env bats
# docs.bats: no drift between the option table (`volley --help-table`) and
# the documentation: every option's name, letter, argument name, default and
# choices are in man/volley.1 (its .It item under OPTIONS) and in the
# README's options table, no option is documented that the table lacks, and
# the completion scripts are what scripts/completions.sh makes of the table.
# No server needed.

load helpers

ROOT="$BATS_TEST_DIRNAME/../.."
MAN="$ROOT/man/volley.1"
README="$ROOT/README.md"

setup() {
    TABLE="$BATS_TEST_TMPDIR/table.tsv"
    v --help-table >"$TABLE"
    VERSION=$(v --version | sed -n '1s/^volley //p')
}

# The rows as "LEFT<TAB>DEFAULT<TAB>CHOICES", LEFT as --help writes it
# ("-j, --parallel N", "--format FMT"), the version in a default as VERSION.
rows() {
    awk -F'\t' -v version="$VERSION" '{
        left = ($2 != "" ? $2 ", " : "") "--" $1 ($4 != "" ? " " $4 : "")
        def = $5
        sub("/" version "$", "/VERSION", def)
        print left "\t" def "\t" $6
    }' "$TABLE"
}

# rows with its fields separated by US (0x1f) instead of tabs, for `read`:
# IFS white space (a tab) would fold an empty field into the next.
rows_us() {
    rows | tr '\t' '\037'
}

# The rows that have a --links default of their own, as "LEFT<TAB>DEFAULT".
links_rows() {
    awk -F'\t' '$9 != "" {
        print ($2 != "" ? $2 ", " : "") "--" $1 ($4 != "" ? " " $4 : "") "\t" $9
    }' "$TABLE"
}

# The man page's OPTIONS items as "LEFT<TAB>TEXT": each .It line and the
# paragraph under it rendered as plain text (mdoc macros dropped, Ns joins,
# Op brackets, Fl adds its dash).
man_items() {
    awk '
    function plain(line,   n, w, i, t, out, join, fl, op) {
        if (line !~ /^\./)
            return line
        n = split(substr(line, 2), w, " ")
        for (i = 1; i <= n; i++) {
            t = w[i]
            if (t ~ /^(It|Ar|Cm|Ql|Pq|No|Sx|Ev|Nm|Pa|Ic|Xr|Dq|Sq|Va|Em|Li|Po|Pc)$/)
                continue
            if (t == "Fl") { fl = 1; continue }
            if (t == "Ns") { join = 1; continue }
            if (t == "Op") { op = 1; out = out "["; join = 1; continue }
            gsub(/\\-/, "-", t); gsub(/\\&/, "", t)
            if (fl) { t = "-" t; fl = 0 }
            out = out (out == "" || join || t ~ /^[,.;:)]$/ ? "" : " ") t
            join = 0
        }
        if (op)
            out = out "]"
        gsub(/ \| /, "|", out)
        return out
    }
    /^\.Sh / { inopt = $2 == "OPTIONS"; next }
    !inopt { next }
    /^\.Bl/ { depth++; next }
    /^\.El/ { depth--; next }
    depth == 1 && /^\.It Fl/ {
        if (left != "") print left "\t" text
        left = plain($0); text = ""
        next
    }
    depth >= 1 && left != "" { text = text " " plain($0) }
    END { if (left != "") print left "\t" text }' "$MAN"
}

# The README's options table as "LEFT<TAB>MEANING<TAB>DEFAULT", "\|" as "|"
# and without backticks in LEFT.
readme_rows() {
    awk '
    /^## / { intable = $0 == "## Options"; next }
    intable && /^\| `-/ {
        line = $0
        gsub(/\\\|/, "\001", line)
        n = split(line, c, "|")
        for (i = 2; i <= 4; i++) {
            gsub(/\001/, "|", c[i]); sub(/^ /, "", c[i]); sub(/ $/, "", c[i])
        }
        left = c[2]; gsub(/`/, "", left)
        print left "\t" c[3] "\t" c[4]
    }' "$README"
}

# has_default TEXT DEF: TEXT says "Default DEF", DEF ending there.
has_default() {
    local rest=${1#*"Default $2"}
    [ "$rest" != "$1" ] || return 1
    [[ ! $rest =~ ^[A-Za-z0-9] ]]
}

@test "man page: every option has its .It item, and every item is an option" {
    rows | cut -f1 | sort >"$BATS_TEST_TMPDIR/want"
    man_items | cut -f1 | sort >"$BATS_TEST_TMPDIR/have"
    [ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -gt 50 ]
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have"
}

@test "man page: every default is written 'Default X', every choice as Cm" {
    man_items >"$BATS_TEST_TMPDIR/items"
    while IFS=$'\037' read -r left def choices; do
        text=$(awk -F'\t' -v l="$left" '$1 == l { print $2 }' "$BATS_TEST_TMPDIR/items")
        if [ -n "$def" ]; then
            has_default "$text" "$def" || { echo "$left: no 'Default $def' in: $text"; return 1; }
        fi
        for c in $choices; do
            grep -qE "(^| )$c( |$|[,.;)])" <<<"$text" || { echo "$left: choice $c missing"; return 1; }
        done
    done < <(rows_us)
}

@test "README: every option has its row in the options table, and every row is an option" {
    rows | cut -f1 | sort >"$BATS_TEST_TMPDIR/want"
    readme_rows | cut -f1 | sort >"$BATS_TEST_TMPDIR/have"
    diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/have"
}

@test "README: the default column holds each default, the row each choice" {
    readme_rows >"$BATS_TEST_TMPDIR/readme"
    while IFS=$'\037' read -r left def choices; do
        row=$(awk -F'\t' -v l="$left" '$1 == l' "$BATS_TEST_TMPDIR/readme")
        dcol=$(cut -f3 <<<"$row" | tr -d '`')
        if [ -n "$def" ]; then
            [[ $dcol == "$def" || $dcol == "$def "* || $dcol == "$def,"* ]] ||
                { echo "$left: default column '$dcol', want '$def'"; return 1; }
        fi
        for c in $choices; do
            [[ $row == *"\`$c\`"* ]] || { echo "$left: choice $c missing in: $row"; return 1; }
        done
    done < <(rows_us)
}

@test "--links defaults: 'With --links, default X.' in the man page, 'X with --links' in the README" {
    man_items >"$BATS_TEST_TMPDIR/items"
    readme_rows >"$BATS_TEST_TMPDIR/readme"
    n=0
    while IFS=$'\t' read -r left ldef; do
        n=$((n + 1))
        text=$(awk -F'\t' -v l="$left" '$1 == l { print $2 }' "$BATS_TEST_TMPDIR/items")
        [[ $text == *"With --links, default $ldef."* ]] ||
            { echo "$left: no 'With --links, default $ldef.' in: $text"; return 1; }
        dcol=$(awk -F'\t' -v l="$left" '$1 == l { print $3 }' "$BATS_TEST_TMPDIR/readme" | tr -d '`')
        [[ $dcol == *"$ldef with --links"* ]] ||
            { echo "$left: README default column '$dcol' lacks '$ldef with --links'"; return 1; }
    done < <(links_rows)
    # the per-host cap, the rate and the retries: three of them, shown in --help
    [ "$n" -eq 3 ]
    v --help | grep -q -- '(default 0; 4 with --links)'
    v --help | grep -q -- '(with --links 10/s)'
    v --help | grep -q -- '(default 0; 2 with --links)'
}

@test "completions: the generated lists are what the table makes (scripts/completions.sh --check)" {
    run "$ROOT/scripts/completions.sh" --check --volley "$VOLLEY"
    [ "$status" -eq 0 ]
    # and the check does catch drift: a copy with one option fewer fails it
    mkdir "$BATS_TEST_TMPDIR/c"
    cp "$ROOT/completions/volley.bash" "$ROOT/completions/_volley" "$BATS_TEST_TMPDIR/c/"
    sed -i 's/ --retry-all-errors//' "$BATS_TEST_TMPDIR/c/volley.bash"
    run "$ROOT/scripts/completions.sh" --check --volley "$VOLLEY" --dir "$BATS_TEST_TMPDIR/c"
    [ "$status" -eq 1 ]
    [[ "$output" == *"volley.bash is not generated from the option table"* ]]
    cp "$ROOT/completions/volley.bash" "$BATS_TEST_TMPDIR/c/"
    sed -i 's/(default 50)/(default 20)/' "$BATS_TEST_TMPDIR/c/_volley"
    run "$ROOT/scripts/completions.sh" --check --volley "$VOLLEY" --dir "$BATS_TEST_TMPDIR/c"
    [ "$status" -eq 1 ]
    [[ "$output" == *"_volley is not generated from the option table"* ]]
}

@test "the checks themselves catch drift: a changed default or argument name" {
    # the man check: --parallel's default changed in a copy
    sed '/^\.It Fl j , Fl \\-parallel Ar N$/,/^\.It/ s/^Default 50\.$/Default 20./' "$MAN" \
        >"$BATS_TEST_TMPDIR/volley.1"
    if cmp -s "$MAN" "$BATS_TEST_TMPDIR/volley.1"; then echo "sed changed nothing"; return 1; fi
    text=$(MAN="$BATS_TEST_TMPDIR/volley.1" man_items | awk -F'\t' '$1 == "-j, --parallel N" { print $2 }')
    [ -n "$text" ]
    if has_default "$text" 50; then echo "not caught: $text"; return 1; fi
    has_default "$text" 20
    # the --links default check: --per-host's changed in a copy of each
    sed 's/^default 4\.$/default 8./' "$MAN" >"$BATS_TEST_TMPDIR/volley-links.1"
    if cmp -s "$MAN" "$BATS_TEST_TMPDIR/volley-links.1"; then echo "sed changed nothing"; return 1; fi
    text=$(MAN="$BATS_TEST_TMPDIR/volley-links.1" man_items | awk -F'\t' '$1 == "--per-host N" { print $2 }')
    [[ $text != *"With --links, default 4."* ]]
    sed 's/(`4` with `--links`)/(`8` with `--links`)/' "$README" >"$BATS_TEST_TMPDIR/README-links.md"
    if cmp -s "$README" "$BATS_TEST_TMPDIR/README-links.md"; then echo "sed changed nothing"; return 1; fi
    dcol=$(README="$BATS_TEST_TMPDIR/README-links.md" readme_rows | awk -F'\t' '$1 == "--per-host N" { print $3 }')
    [[ $dcol != *"4 with --links"* ]]
    # the README check: --retry's argument renamed in a copy
    sed 's/| `--retry N` |/| `--retry COUNT` |/' "$README" >"$BATS_TEST_TMPDIR/README.md"
    have=$(README="$BATS_TEST_TMPDIR/README.md" readme_rows | cut -f1)
    grep -qx -- '--retry COUNT' <<<"$have"
    if grep -qx -- '--retry N' <<<"$have"; then echo "not caught"; return 1; fi
}
