#!/usr/bin/env bash
# scale-sim.sh: the internet-scale simulation of docs/scale.md, run here.
#
#   bench/scale-sim.sh [--volley PATH] [-n URLS] [--hosts H] [--shards N] [--smoke]
#
# 1. The split: URLS generated URLs (default 10,000,000) over H hosts
#    (default 100,000), in two shapes: "uniform" (every host the same number
#    of URLs) and "zipf" (host h gets a share proportional to 1/h, as real
#    crawl lists do), each piped through `volley --dry-run --shard K/N` for
#    every K (default N 64). Prints each shape's largest and smallest shard
#    as a share of the list and against the mean, and checks that the
#    shards' union is the list (their line counts add up) and that no host
#    is in two shards.
# 2. Resume at scale: a results file of URLS minimal records (the keys
#    --resume reads), then `volley --resume FILE --dry-run` over the same
#    list: start-up time, peak RSS and the bytes per record they imply; the
#    dry run must print nothing (every line is done).
# The list is written once per shape (about 40 bytes a line) and the results
# file (about 150 bytes a record) once; both are removed at the end.
# --smoke: 200,000 URLs over 2,000 hosts, 8 shards.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
VOLLEY=$ROOT/build/volley N=10000000 HOSTS=100000 SHARDS=64
while (($#)); do
  case $1 in
    --volley) VOLLEY=${2:?}; shift ;;
    -n) N=${2:?}; shift ;;
    --hosts) HOSTS=${2:?}; shift ;;
    --shards) SHARDS=${2:?}; shift ;;
    --smoke) N=200000 HOSTS=2000 SHARDS=8 ;;
    -h | --help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ -x $VOLLEY ]] || { echo "no volley binary at $VOLLEY (--volley PATH)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/volley-scale.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# gen SHAPE: N URLs over HOSTS hosts, one per line, on stdout
gen() {
  awk -v n="$N" -v hosts="$HOSTS" -v shape="$1" 'BEGIN {
    if (shape == "zipf") {               # cumulative 1/h weights
      for (h = 1; h <= hosts; h++) { w += 1 / h; cum[h] = w }
      for (h = 1; h <= hosts; h++) cnt[h] = int(n * (1 / h) / w)
      left = n; for (h = 1; h <= hosts; h++) left -= cnt[h]
      for (h = 1; left > 0; h++) { cnt[h]++; left-- }
    } else {
      for (h = 1; h <= hosts; h++) cnt[h] = int(n / hosts) + (h <= n % hosts)
    }
    i = 0
    for (h = 1; h <= hosts; h++)
      for (k = 0; k < cnt[h]; k++)
        printf "https://host%d.example/page/%d\n", h, ++i
  }'
}

split_shape() {
  local shape=$1 k total=0 max=0 min=-1 c
  : >"$WORK/hosts-$shape"
  gen "$shape" >"$WORK/list" # once: read N times below
  for ((k = 1; k <= SHARDS; k++)); do
    "$VOLLEY" --dry-run --shard "$k/$SHARDS" "$WORK/list" >"$WORK/shard"
    c=$(wc -l <"$WORK/shard")
    sed 's#^https://\([^/]*\)/.*#\1#' "$WORK/shard" | sort -u >>"$WORK/hosts-$shape"
    total=$((total + c))
    ((c > max)) && max=$c
    ((min < 0 || c < min)) && min=$c
  done
  local twice
  twice=$(sort "$WORK/hosts-$shape" | uniq -d | wc -l)
  rm -f "$WORK/list"
  [[ $total -eq $N ]] || { echo "FAILED: $shape shards hold $total lines, the list $N" >&2; exit 1; }
  [[ $twice -eq 0 ]] || { echo "FAILED: $shape: $twice hosts in two shards" >&2; exit 1; }
  awk -v s="$shape" -v n="$N" -v k="$SHARDS" -v max="$max" -v min="$min" 'BEGIN {
    mean = n / k
    printf "| %s | %d | %.2f %% | %.2f× | %.2f %% | %.2f× |\n", s, n, 100 * max / n, max / mean,
           100 * min / n, min / mean }'
}

echo "## The split: $N URLs over $HOSTS hosts, $SHARDS shards by host ($(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores)"
echo
echo "| shape | URLs | largest shard | vs mean | smallest shard | vs mean |"
echo "|---|--:|--:|--:|--:|--:|"
split_shape uniform
split_shape zipf
echo
echo "(union = list and no host in two shards: checked for both shapes)"

echo
echo "## Resume at scale: $N minimal records"
gen uniform | awk '{ printf "{\"seq\":%d,\"url\":\"%s\",\"method\":\"GET\",\"ok\":true,\"error\":null,\"timestamp\":\"2026-12-01T00:00:00.000Z\"}\n", NR, $0 }' \
  >"$WORK/results.jsonl"
bytes=$(stat -c %s "$WORK/results.jsonl")
# a one-line list: the cost is loading the results file
echo "https://host1.example/page/1" >"$WORK/one"
/usr/bin/time -f '%e %M' -o "$WORK/time0" "$VOLLEY" --dry-run "$WORK/one" >/dev/null
/usr/bin/time -f '%e %M' -o "$WORK/time" "$VOLLEY" --resume "$WORK/results.jsonl" --dry-run "$WORK/one" \
  >"$WORK/left" 2>"$WORK/err"
[[ ! -s $WORK/left ]] || { echo "FAILED: a done line was printed by --dry-run" >&2; exit 1; }
read -r secs0 rss0 <"$WORK/time0"
read -r secs rss <"$WORK/time"
awk -v n="$N" -v b="$bytes" -v s="$secs" -v r="$rss" -v r0="$rss0" 'BEGIN {
  printf "| records | file | start-up | peak RSS | RSS over a run without --resume | per record |\n"
  printf "|--:|--:|--:|--:|--:|--:|\n"
  printf "| %d | %.0f MB | %.2f s | %.1f MB | %.1f MB | %.1f bytes |\n", n, b / 1e6, s, r / 1024,
         (r - r0) / 1024, (r - r0) * 1024 / n }'
# and the whole list against it: every line skipped
gen uniform | /usr/bin/time -f '%e %M' -o "$WORK/time2" "$VOLLEY" --resume "$WORK/results.jsonl" --dry-run >"$WORK/left"
[[ ! -s $WORK/left ]] || { echo "FAILED: $(wc -l <"$WORK/left") done lines printed by --dry-run" >&2; exit 1; }
read -r secs2 rss2 <"$WORK/time2"
echo
echo "The whole list against it: $N lines checked, none left, in $secs2 s (peak RSS $((rss2 / 1024)) MB)."
