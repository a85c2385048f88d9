#!/usr/bin/env bash
# The shell pipeline that `volley --links` replaces: extract the links of a
# docs tree with grep, dedupe them with sort -u, check each once with volley,
# then map the failures back to FILE:LINE.  bench/links.sh times it beside
# the npm link checkers; it is also the recipe for a volley without --links.
#
#   bench/links-pipeline.sh DOCS OUT VOLLEY [volley options...]
#
# Writes OUT/urls.txt (the distinct links), OUT/records.tsv (volley's
# "OK<TAB>URL" per link), OUT/failed.txt (the broken ones) and
# OUT/where.txt (FILE:LINE:URL of every broken occurrence).  Exit status:
# volley's, unless volley failed in a way that is not about the links (> 3).
set -euo pipefail
export LC_ALL=C
docs=$1 out=$2 volley=$3
shift 3

# An absolute http(s) link in Markdown or HTML ends at a blank, a quote, an
# angle bracket or a closing parenthesis.
url_re='https?://[^][(){}<>"'\''[:space:]]+'
links() { grep -rhoE --include='*.md' --include='*.html' "$@" "$url_re" "$docs" || true; }

links | sort -u >"$out/urls.txt"
rc=0
"$volley" -q -w '%{ok}\t%{url}\n' "$@" "$out/urls.txt" >"$out/records.tsv" || rc=$?
((rc <= 3)) || exit "$rc"
awk -F'\t' '$1 != "true" { print $2 }' "$out/records.tsv" >"$out/failed.txt"
# FILE:LINE:URL for every occurrence of a failed URL (exact matches only)
links -n -H | awk 'NR == FNR { bad[$0] = 1; next }
  { u = $0; sub(/^[^:]*:[^:]*:/, "", u); if (u in bad) print }' "$out/failed.txt" - >"$out/where.txt"
exit "$rc"
