#!/usr/bin/env bash
# Link-checker benchmark: the links of a generated docs tree checked side by
# side, in one run, by the npm link checkers people install (linkinator,
# markdown-link-check), by the shell pipeline that `volley --links` replaces
# (bench/links-pipeline.sh), and by `volley --links` once the binary has it.
# See bench/README.md.
#
#   bench/links.sh [--smoke] [--volley PATH] [-j C] [--per-host P]
#
#   --smoke       200 files, 100 distinct links (default: 10,000 files, 5,000)
#   -j C          concurrency given to every tool that takes one (default 32)
#   --per-host P  in flight per host, for every tool that takes it (default 4)
#
# The tree: half Markdown, half HTML, 10 absolute links per file to made-up
# hosts hNN.docs.test on the bench nginx's many-hosts ports (curl-style
# --resolve for volley; a preloaded resolver, bench/links-resolve.cjs, for
# node), every 50th distinct link a 404.  Each tool must find exactly the
# broken links in the files it reads, or it FAILS (exit 1).  Wall time, CPU
# (user+sys) and peak RSS come from /usr/bin/time; "requests" is what nginx
# served (stub_status), which shows whether a tool fetched each link once.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

SMOKE=0 VOLLEY_OPT="" C=32 P=4
while (($#)); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --volley) VOLLEY_OPT=${2:?--volley needs a path}; shift ;;
    --volley=*) VOLLEY_OPT=${1#*=} ;;
    -j) C=${2:?}; shift ;;
    --per-host) P=${2:?}; shift ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $C =~ ^[1-9][0-9]*$ && $P =~ ^[1-9][0-9]*$ ]] || { echo "-j and --per-host take positive integers" >&2; exit 2; }
if ((SMOKE)); then FILES=200 DISTINCT=100; else FILES=10000 DISTINCT=5000; fi
LINKS_PER_FILE=10 HOSTS=20 BROKEN_EVERY=50 SUFFIX=.docs.test
TOOL_SECONDS=$((SMOKE ? 120 : 1800))
# The npm checkers, pinned: linkinator 8 needs Node.js 22; 7.6 is the last for 20.
NPM_PKGS=(linkinator@7.6.1 markdown-link-check@3.15.0)

ensure_deps nginx:nginx-light curl:curl openssl:openssl ss:iproute2 pgrep:procps \
  /usr/bin/time:time timeout:coreutils node:nodejs npm:npm jq:jq
VOLLEY=$(find_volley "$VOLLEY_OPT")

D=$WORK/links
NPM=$WORK/npm
rm -rf "$D"
mkdir -p "$D/docs" "$D/out"
bench_guard $((SMOKE ? 900 : 4 * 3600))

# --- the npm checkers, installed into bench/work/npm (not globally) ------------
npm_install() {
  local want have=""
  want=$(printf '%s\n' "${NPM_PKGS[@]}")
  [[ -f $NPM/installed.txt ]] && have=$(cat "$NPM/installed.txt")
  [[ $have == "$want" && -x $NPM/node_modules/.bin/linkinator ]] && return 0
  log "npm: installing ${NPM_PKGS[*]} into ${NPM#"$ROOT"/}"
  rm -rf "$NPM"; mkdir -p "$NPM"
  npm_config_cache=$WORK/npm-cache timeout 600 npm install --prefix "$NPM" --no-audit --no-fund \
    --no-save --loglevel=error "${NPM_PKGS[@]}" >&2 || die "npm install ${NPM_PKGS[*]} failed"
  echo "$want" >"$NPM/installed.txt"
}
npm_install
export BENCH_RESOLVE_SUFFIX=$SUFFIX
NODE_PRELOAD="--require $BENCH_DIR/links-resolve.cjs"
# Never let node ask DNS about a bench name: the preload must answer.
NODE_OPTIONS=$NODE_PRELOAD node -e '
  require("dns").lookup("h00'"$SUFFIX"'", (e, a) => process.exit(!e && a === "127.0.0.1" ? 0 : 1))' ||
  die "bench/links-resolve.cjs does not map *$SUFFIX to 127.0.0.1"

start_nginx

# --- the docs tree -----------------------------------------------------------

# gen_docs: FILES files in folders of 100; file f is Markdown when f <
# FILES/2, else HTML; link j of file f is distinct link (f*10 + j) mod
# DISTINCT, on host (k mod HOSTS).  Writes the expected broken links: all of
# them (expected-all.txt) and those in Markdown files (expected-md.txt).
gen_docs() {
  awk -v files="$FILES" -v distinct="$DISTINCT" -v per="$LINKS_PER_FILE" -v hosts="$HOSTS" \
      -v every="$BROKEN_EVERY" -v p0="$MH_PORT0" -v sfx="$SUFFIX" -v d="$D" '
    function url(k,   h) {
      h = k % hosts
      return sprintf("http://h%02d%s:%d/%s/%d", h, sfx, p0 + h, (k % every ? "link" : "gone"), k)
    }
    BEGIN {
      for (f = 0; f < files; f++) {
        dir = sprintf("%s/docs/d%03d", d, int(f / 100))
        if (f % 100 == 0) system("mkdir -p " dir)
        md = f < files / 2
        path = sprintf("%s/page%05d.%s", dir, f, md ? "md" : "html")
        if (md) printf "# Page %d\n\nSee the references below.\n\n", f > path
        else printf "<!doctype html>\n<html><head><title>Page %d</title></head>\n<body>\n<h1>Page %d</h1>\n<ul>\n", f, f > path
        for (j = 0; j < per; j++) {
          k = (f * per + j) % distinct; u = url(k)
          if (md) printf "- [reference %d](%s) in a sentence.\n", k, u > path
          else printf "<li><a href=\"%s\">reference %d</a></li>\n", u, k > path
          if (k % every == 0) { all[u] = 1; if (md) inmd[u] = 1 }
        }
        if (!md) print "</ul>\n</body>\n</html>" > path
        close(path)
      }
      for (u in all) print u > (d "/expected-all.unsorted")
      for (u in inmd) print u > (d "/expected-md.unsorted")
    }'
  sort -u "$D/expected-all.unsorted" >"$D/expected-all.txt"
  sort -u "$D/expected-md.unsorted" >"$D/expected-md.txt"
  rm -f "$D"/expected-*.unsorted
}

# resolve_args: --resolve for every made-up host:port
resolve_args() {
  local h
  for ((h = 0; h < HOSTS; h++)); do
    printf -- '--resolve\nh%02d%s:%d:127.0.0.1\n' "$h" "$SUFFIX" $((MH_PORT0 + h))
  done
}

log "links: generating $FILES files ($LINKS_PER_FILE links each, $DISTINCT distinct on $HOSTS hosts)"
gen_docs
mapfile -t RESOLVE < <(resolve_args)

# --- the tools -----------------------------------------------------------------

# Every tool's command, how its broken links are read from its output, the
# expected set for the files it reads, and the limits it was given.
declare -A CMD_NOTE WALL RSS_MB
ROWS=() FAILED=()

# broken_linkinator OUT: the distinct URLs linkinator calls BROKEN
broken_linkinator() { jq -r '.links[] | select(.state == "BROKEN") | .url' "$1" | sort -u; }
# broken_mlc OUT: "[✖] URL → Status: N" lines
broken_mlc() { awk '$1 == "[✖]" { print $2 }' "$1" | sort -u; }
broken_pipeline() { sort -u "$D/out/failed.txt"; }
broken_volley_links() { jq -r 'select(.ok == false) | .url' "$1" | sort -u; }

# run_tool NAME EXPECTED PARSER NOTE -- CMD...
run_tool() {
  local name=$1 expected=$2 parser=$3 note=$4
  shift 5
  local base=$D/out/$name
  CMD_NOTE[$name]=$note
  log "links: $name"
  measure_start
  timed "$TOOL_SECONDS" "$base.time" "$base.out" "$base.err" "$@"
  measure_end
  watchdog_fired
  local wall user sys rss req found missing extra verdict=OK
  read -r wall user sys rss < <(time_fields "$base.time")
  read -r _ req _ _ <<<"$DELTA"
  "$parser" "$base.out" >"$base.broken" 2>>"$base.err" || true
  found=$(wc -l <"$base.broken")
  missing=$(comm -23 "$expected" "$base.broken" | wc -l)
  extra=$(comm -13 "$expected" "$base.broken" | wc -l)
  # every tool's status is 1 when it found broken links (volley's: a status
  # failed); anything else is a failure of the tool (timeout 124, a crash)
  ((TIMED_RC <= 1 && missing == 0 && extra == 0)) || verdict=FAILED
  [[ $verdict == OK ]] || FAILED+=("$name: exit $TIMED_RC, found $found broken links, $missing missed, $extra wrongly (see ${base#"$ROOT"/}.err)")
  [[ $verdict == OK ]] && WALL[$name]=$wall RSS_MB[$name]=$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')
  ROWS+=("$name|$wall|$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')|$(awk -v r="$rss" 'BEGIN { printf "%.1f", r / 1024 }')|$req|$found of $(wc -l <"$expected")|$verdict")
  log "links: $name: ${wall}s, $user+$sys s CPU, $((rss / 1024)) MB, $req requests, $found broken found: $verdict"
}

# linkinator's globs are relative to its working directory (it serves the
# files it reads from a local server of its own)
NODE_OPTIONS=$NODE_PRELOAD run_tool linkinator "$D/expected-all.txt" broken_linkinator \
  "--concurrency $C; no per-host limit (linkinator has none)" -- \
  env -C "$D" "$NPM/node_modules/.bin/linkinator" "docs/**/*.md" "docs/**/*.html" --markdown \
  --concurrency "$C" --timeout 30000 --format json
NODE_OPTIONS=$NODE_PRELOAD run_tool markdown-link-check "$D/expected-md.txt" broken_mlc \
  "Markdown only; 2 links in flight per file, files one after another (fixed in the tool: no concurrency or per-host option)" -- \
  "$NPM/node_modules/.bin/markdown-link-check" -q "$D/docs"
if [[ -n $VOLLEY ]]; then
  run_tool pipeline "$D/expected-all.txt" broken_pipeline \
    "grep -o | sort -u | volley -j $C --per-host $P | map back (bench/links-pipeline.sh)" -- \
    "$BENCH_DIR/links-pipeline.sh" "$D/docs" "$D/out" "$VOLLEY" -j "$C" --per-host "$P" "${RESOLVE[@]}"
else log "links: no volley binary: the pipeline and volley --links are skipped"; fi

# volley --links: only when the binary has it (a usage error says it has not)
V_LINKS=no
if [[ -n $VOLLEY ]]; then
  printf '[a](http://127.0.0.1:%d/link/1)\n' "$HTTP_PORT" >"$D/probe.md"
  r=0; timeout -k 2 20 "$VOLLEY" --links -q "$D/probe.md" >/dev/null 2>&1 || r=$?
  ((r == 2)) || V_LINKS=yes
fi
if [[ $V_LINKS == yes ]]; then
  # --rate-per-host lifts the --links default rate: every tool runs unthrottled
  run_tool volley-links "$D/expected-all.txt" broken_volley_links \
    "-j $C --per-host $P (the --links default rate lifted)" -- \
    "$VOLLEY" --links -q --format jsonl -j "$C" --per-host "$P" --rate-per-host 1000000/s "${RESOLVE[@]}" "$D/docs"
else
  log "links: volley --links not supported yet${VOLLEY:+ by $VOLLEY}: skipped"
fi

# --- report ----------------------------------------------------------------------

# vs_npm NAME -> "X.XX× faster than the faster npm checker (W s), A MB vs B MB"
vs_npm() {
  local best="" n
  for n in linkinator markdown-link-check; do
    [[ -n ${WALL[$n]:-} ]] || continue
    if [[ -z $best ]] || awk -v a="${WALL[$n]}" -v b="${WALL[$best]}" 'BEGIN { exit !(a < b) }'; then best=$n; fi
  done
  [[ -n $best && -n ${WALL[$1]:-} ]] || { echo "n/a (no verified run to compare)"; return; }
  awk -v a="${WALL[$best]}" -v b="${WALL[$1]}" -v n="$best" -v ra="${RSS_MB[$best]}" -v rb="${RSS_MB[$1]}" 'BEGIN {
    r = b > 0 ? a / b : 0
    printf "%.2f× faster than %s (%s s), %s MB vs %s MB: %s\n", r, n, a, rb, ra, (r >= 5 && rb < ra) ? "met" : "MISSED" }'
}

suffix=""; ((SMOKE)) && suffix=-smoke
OUT=$WORK/LINKS$suffix.md
{
  echo "# link checkers"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); node $(node --version); ${NPM_PKGS[*]}; volley: ${VOLLEY:-missing} (--links: $V_LINKS)."
  echo "$FILES files (half Markdown, half HTML), $LINKS_PER_FILE links each, $DISTINCT distinct on $HOSTS made-up hosts (127.0.0.1, nginx), every ${BROKEN_EVERY}th distinct link a 404: $(wc -l <"$D/expected-all.txt") broken ($(wc -l <"$D/expected-md.txt") of them in Markdown files)."
  echo
  echo "| tool | wall s | CPU s | peak RSS MB | requests served | broken found | verified |"
  echo "|---|--:|--:|--:|--:|--:|---|"
  for row in "${ROWS[@]}"; do echo "| ${row//|/ | } |"; done
  echo
  echo "Limits given:"
  for name in "${!CMD_NOTE[@]}"; do echo "- $name: ${CMD_NOTE[$name]}"; done | sort
  if [[ $V_LINKS != yes ]]; then echo "- volley --links: not run (the binary does not have --links yet)"; fi
  echo
  echo "Target (issue 12): volley --links at least 5× faster than the faster npm checker, in less memory."
  if [[ $V_LINKS == yes ]]; then echo "- volley --links: $(vs_npm volley-links)"
  else echo "- volley --links: n/a (not supported yet)"; fi
  [[ -n $VOLLEY ]] && echo "- (for comparison) the pipeline: $(vs_npm pipeline)"
  echo
  if ((${#FAILED[@]})); then echo "**FAILED**:"; printf -- '- %s\n' "${FAILED[@]}"
  else echo "Every tool found exactly the broken links in the files it reads."; fi
} >"$OUT"
cat "$OUT"
((${#FAILED[@]} == 0))
