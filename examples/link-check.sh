#!/usr/bin/env bash
# link-check.sh: the broken links of documents — Markdown, HTML, sitemaps,
# text, folders of them (default: the current folder) — with where each one
# is, as one volley --links run.
#
#   examples/link-check.sh [VOLLEY-OPTIONS] [FILE | DIR | URL]...
#
# Each distinct URL is fetched once (following redirects), politely (the
# --links defaults: at most 4 requests at a time and 10 new ones a second to
# any one site, a 429 or 503 tried again when its Retry-After says); each
# relative link is checked as a local file, its #fragment too. A broken link
# is listed with every FILE:LINE:COLUMN it is found at. Bounded: 20 s an
# attempt, 10 minutes in all. Exit status: volley's (0 all good, 1 broken
# links, 2 usage, 3 a link could not be fetched, 124 the deadline passed).
# Options go through to volley (-k, --cacert FILE, --exclude-url REGEX,
# --base URL, --report github, ...). It fetches whatever the documents link
# to, so no test runs it. VOLLEY=path/to/volley picks the binary.
set -euo pipefail
exec "${VOLLEY:-volley}" --links --check-fragments -L -m 20 --deadline 600 \
    -A 'link-check (volley)' "${@:-.}"
