#!/usr/bin/env bash
# link-check.sh: find the broken http(s) links in Markdown files.
#
#   examples/link-check.sh [FILE.md | DIR]...     (default: the current directory)
#
# Pulls every http:// and https:// URL out of the Markdown files with
# grep -o, fetches each distinct URL once with volley (following redirects;
# at most 4 at a time and 5 new requests a second to any one site), and
# lists the broken ones with the files and lines that link to them. Exit
# status: 0 when every link works, 1 when some are broken, else volley's
# own status (2 usage, 124 the deadline passed, ...).
#
# It is bounded: an attempt gets 20 s, a link at most 2 attempts, the whole
# run 10 minutes (--deadline). It reads only the files it is given and
# writes only to a temporary directory, which it removes. It is an example
# for users: it fetches whatever links it finds, so no test runs it.
# VOLLEY=path/to/volley picks the binary (default: volley on $PATH).
set -euo pipefail

volley=${VOLLEY:-volley}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# FILE:LINE:URL for every link: stop at white space, quotes, backquotes and
# the brackets Markdown puts around links, drop trailing punctuation.
grep -rHnoE --include='*.md' --include='*.markdown' \
    'https?://[^][:space:]<>()"`'"'"'[]+' "${@:-.}" |
    sed -E 's/[.,;:!?*_~]+$//' >"$work/refs" || true
if [ ! -s "$work/refs" ]; then
    echo "link-check: no http(s) links found" >&2
    exit 0
fi
# each distinct URL once
sed -E 's/^([^:]*):([0-9]+)://' "$work/refs" | sort -u >"$work/urls"
echo "link-check: $(wc -l <"$work/urls") distinct URLs in $(cut -d: -f1 "$work/refs" | sort -u | wc -l) files" >&2

status=0
"$volley" -L --per-host 4 --rate-per-host 5/s -j 32 \
    -m 20 --connect-timeout 10 --retry 1 --deadline 600 \
    -A 'link-check (volley)' --json "$work/urls" >"$work/records" || status=$?
case $status in
0 | 1 | 3) ;; # all good / some links broken
*) echo "link-check: volley exited with status $status" >&2 ;;
esac

# One block per broken link: status (or error kind), URL, why, then where
# it is linked from. A record's "input" is urls:LINE, so LINE finds the URL
# as it was written (the record's url shows a password as ***).
jq -r -n --rawfile urls "$work/urls" --rawfile refs "$work/refs" '
    ($urls | rtrimstr("\n") | split("\n")) as $u
    | ($refs | rtrimstr("\n") | split("\n")
       | map(capture("^(?<src>[^:]*:[0-9]+):(?<url>.*)$"))
       | group_by(.url) | map({key: .[0].url, value: map(.src)}) | from_entries) as $from
    | [inputs | select(.ok | not)] | sort_by(.input | split(":")[-1] | tonumber)[]
    | $u[(.input | split(":")[-1] | tonumber) - 1] as $url
    | "\(if .http_code > 0 then .http_code else "ERR" end) \($url)  (\(.error.kind): \(.error.message))",
      ($from[$url][] | "    linked from \(.)")
' "$work/records"

broken=$(jq -s 'map(select(.ok | not)) | length' "$work/records")
echo "link-check: $broken broken of $(wc -l <"$work/urls")" >&2
case $status in
0 | 1 | 3) [ "$broken" -eq 0 ] || exit 1 ;;
*) exit "$status" ;;
esac
