#!/usr/bin/env bash
# Instructions per URL: volley (and optionally curl --parallel) under
# valgrind --tool=callgrind against the bench nginx.  Instruction counts do
# not depend on how busy the machine is, so this is the repeatable way to see
# whether a change made volley cheaper per URL.
#
#   bench/callgrind.sh [--volley PATH] [-n N] [-j C] [--threads T] [--top] [--curl]
#
#   -n N      URLs (default 20000), distinct /1k?i=N on one origin
#   -j C      concurrency (default 50)
#   --threads T  volley's --threads T (default: volley's own default);
#             callgrind counts the instructions of every thread
#   --top     also print the top 20 functions by self cost (callgrind_annotate)
#   --curl    also measure curl --parallel --parallel-max C on the same list
#
# Caveats: counts user-space instructions of the client only (not the kernel,
# not nginx); under valgrind the client runs ~50x slower, so more events are
# ready per loop pass than in a real run.  Compare runs of this script with
# each other, not with wall-clock figures.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

N=20000 C=50 TOP=0 CURL=0 VOLLEY_OPT="" THREADS=()
while (($#)); do
  case $1 in
    --volley) VOLLEY_OPT=${2:?}; shift ;;
    --volley=*) VOLLEY_OPT=${1#*=} ;;
    -n) N=${2:?}; shift ;;
    -j) C=${2:?}; shift ;;
    --threads) THREADS=(--threads "${2:?}"); shift ;;
    --top) TOP=1 ;;
    --curl) CURL=1 ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ $N =~ ^[1-9][0-9]*$ && $C =~ ^[1-9][0-9]*$ ]] || { echo "-n and -j take positive integers" >&2; exit 2; }

ensure_deps valgrind:valgrind callgrind_annotate:valgrind nginx:nginx-light curl:curl \
  openssl:openssl timeout:coreutils ss:iproute2 pgrep:procps
VOLLEY=$(find_volley "$VOLLEY_OPT")
[[ -n $VOLLEY || $CURL -eq 1 ]] || die "no volley binary (build it, or pass --volley PATH)"
[[ -n $VOLLEY ]] || log "no volley binary: measuring curl only"

CG=$WORK/callgrind
mkdir -p "$CG"
CG_TOTAL=0 CG_OK=0 CG_RC=0
LIMIT=$((120 + N / 50))   # seconds per run; valgrind manages a few thousand URLs/s at worst
# shellcheck disable=SC2317  # called by bench_cleanup
bench_cleanup_hook() { rm -f "$CG/list.txt" "$CG/list.cfg" "$CG/one.txt" "$CG/one.cfg" "$CG/records.txt"; }
bench_guard $((4 * LIMIT + 300))

start_nginx
gen_urls "$CG/list.txt" "$N" "http://127.0.0.1:$HTTP_PORT/1k"
gen_urls "$CG/one.txt" 1 "http://127.0.0.1:$HTTP_PORT/1k"

# cg_run OUT KIND CMD... : one callgrind run; sets CG_TOTAL (Ir), CG_OK, CG_RC
cg_run() {
  local out=$1 kind=$2 rc=0; shift 2
  rm -f "$out"
  timeout -k 5 "$LIMIT" valgrind --tool=callgrind --callgrind-out-file="$out" \
    --dump-instr=no --collect-jumps=no "$@" >"$CG/records.txt" 2>"$out.log" </dev/null &
  CHILD_PID=$!
  wait "$CHILD_PID" || rc=$?
  CHILD_PID=""
  local ok total
  case $kind in
    volley) ok=$(awk '$1 == 200 && $3 == 1024' "$CG/records.txt" | wc -l) ;;
    curl) ok=$(awk '$1 == 200 && $2 == 1024' "$CG/records.txt" | wc -l) ;;
  esac
  total=$(awk '/^(summary|totals):/ { print $2; exit }' "$out" 2>/dev/null || true)
  CG_TOTAL=${total:-0} CG_OK=$ok CG_RC=$rc
}

# measure NAME KIND CMD-WITHOUT-LIST... : N URLs, and 1 URL to subtract start-up
measure() {
  local name=$1 kind=$2; shift 2
  local out=$CG/$name.callgrind t1 ok1 tn okn rcn
  if [[ $kind == curl ]]; then
    curl_config "$CG/one.txt" "$CG/one.cfg"; curl_config "$CG/list.txt" "$CG/list.cfg"
  fi
  log "$name: 1 URL, then $N URLs, C=$C under callgrind (limit ${LIMIT}s each)"
  if [[ $kind == curl ]]; then
    cg_run "$out.1" "$kind" "$@" -K "$CG/one.cfg"; t1=$CG_TOTAL ok1=$CG_OK
    cg_run "$out" "$kind" "$@" -K "$CG/list.cfg"; tn=$CG_TOTAL okn=$CG_OK rcn=$CG_RC
  else
    cg_run "$out.1" "$kind" "$@" "$CG/one.txt"; t1=$CG_TOTAL ok1=$CG_OK
    cg_run "$out" "$kind" "$@" "$CG/list.txt"; tn=$CG_TOTAL okn=$CG_OK rcn=$CG_RC
  fi
  if ((rcn != 0 || okn != N || tn == 0)); then
    echo "$name: FAILED (exit $rcn, $okn/$N URLs verified; see ${out#"$ROOT"/}.log)"
    return 1
  fi
  awk -v n="$name" -v t="$tn" -v u="$N" -v t1="$t1" -v ok1="$ok1" 'BEGIN {
    printf "%s: %d URLs verified, %.0f instructions, %.0f per URL", n, u, t, t / u
    if (ok1 == 1 && t1 > 0 && u > 1) printf "; %.0f per URL without start-up (1-URL run: %.0f)", (t - t1) / (u - 1), t1
    printf "\n" }'
  if ((TOP)); then
    echo "top 20 functions by self cost (Ir, $N URLs):"
    callgrind_annotate --inclusive=no "$out" 2>/dev/null |
      awk '/PROGRAM TOTALS/ { next } /\([ 0-9.]+%\)/ && shown < 20 { print "  " $0; shown++ }'
  fi
  echo "  (profile: ${out#"$ROOT"/}; open with callgrind_annotate or kcachegrind)"
}

status=0
if [[ -n $VOLLEY ]]; then
  measure volley volley "$VOLLEY" "${THREADS[@]}" -j "$C" -q --format text || status=1
fi
if ((CURL)); then
  measure curl curl curl -q --parallel --parallel-max "$C" --no-progress-meter \
    -w '%{http_code} %{size_download}\n' || status=1
fi
exit "$status"
