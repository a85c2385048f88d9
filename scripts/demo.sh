#!/usr/bin/env bash
# demo.sh: from a fresh clone, install what is missing, build volley, start
# the bundled fixture server on 127.0.0.1 and show volley fetching a sample
# list (text records, then JSONL through jq). No internet needed.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target volley volley-fixture >/dev/null

work=$(mktemp -d)
./build/volley-fixture --max-seconds 120 >"$work/port" &
fixture=$!
trap 'kill "$fixture" 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(head -n 1 "$work/port")
base="http://127.0.0.1:$port"

cat >"$work/urls.txt" <<LIST
# a sample list: comments and blank lines are skipped
$base/ok
$base/bytes/1024
$base/delay/300
$base/status/404
$base/redirect/2

ftp://127.0.0.1/not-fetched
127.0.0.1:9/refused
LIST
for i in $(seq 1 200); do echo "$base/bytes/512?i=$i"; done >>"$work/urls.txt"

echo "\$ volley --proto-default http urls.txt | head -n 8     # 207 URLs, text records"
./build/volley --proto-default http "$work/urls.txt" | head -n 8 || true
echo
echo "\$ volley -q --json -L --proto-default http urls.txt | jq -c 'select(.ok|not) | {seq, url, http_code, error}'"
./build/volley -q --json -L --proto-default http "$work/urls.txt" |
    jq -c 'select(.ok|not) | {seq, url, http_code, error}' || true
echo
echo "\$ volley -j 100 --proto-default http urls.txt >/dev/null   # the summary"
./build/volley -j 100 --proto-default http "$work/urls.txt" >/dev/null || echo "(exit status $?: some URLs failed, as listed above)"
