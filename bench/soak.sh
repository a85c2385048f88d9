#!/usr/bin/env bash
# Soak: one long volley run against the bench nginx plus a refused port.
# Proves what no short test can: memory stays flat, no file descriptor
# leaks, and every URL read gets exactly one record.  See bench/README.md.
#
#   bench/soak.sh [--smoke] [--volley PATH] [-n N] [-j C] [--refuse-every K]
#
#   -n N              URLs (default 10,000,000; --smoke: 20,000)
#   -j C              volley's concurrency (default 500)
#   --refuse-every K  every K-th URL goes to a port nobody listens on (default 1000)
#
# SOAK_AT_QUIET (environment): a command run at each quiet point with
# volley's PID as its last argument, its output appended to soak/at-quiet.out
# (for example bench/heap-at.sh, which asks glibc where the heap is).
#
# The URL list is streamed from a generator through a FIFO (nothing of size
# N is written to disk), and volley's records are checked as they stream
# out (only counts are kept).  The generator pauses at 10 %, 50 % and 100 %
# of the list until every record so far is out: at those quiet points no
# transfer is in flight, and volley's RSS, peak RSS and open fds are read
# from /proc.  Fails (exit 1) on a missing, repeated or wrong record, an fd
# that is neither a standard one at start nor a connection to nginx (a
# leak), more connections than -j, or (full size only) RSS at 100 % more
# than 2 MB over RSS at 10 %.
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

SMOKE=0 VOLLEY_OPT="" N="" C=500 K=1000
while (($#)); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --volley) VOLLEY_OPT=${2:?--volley needs a path}; shift ;;
    --volley=*) VOLLEY_OPT=${1#*=} ;;
    -n) N=${2:?}; shift ;;
    -j) C=${2:?}; shift ;;
    --refuse-every) K=${2:?}; shift ;;
    -h | --help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if ((SMOKE)); then N=${N:-20000}; else N=${N:-10000000}; fi
for v in "$N" "$C" "$K"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "-n, -j and --refuse-every take positive integers" >&2; exit 2; }
done
((N >= 10)) || { echo "-n must be at least 10" >&2; exit 2; }
RSS_SLACK_KB=2048        # "flat": RSS at 100 % within this of RSS at 10 %
# seconds allowed per quiet point: at least 2,000 URLs/s, plus start-up
chunk_limit() { echo $(((SMOKE ? 30 : 60) + $1 / 2000)); }

ensure_deps nginx:nginx-light curl:curl openssl:openssl ss:iproute2 pgrep:procps awk:mawk
VOLLEY=$(find_volley "$VOLLEY_OPT")
[[ -n $VOLLEY ]] || die "no volley binary (build it, or pass --volley PATH)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

S=$WORK/soak
mkdir -p "$S"
rm -f "$S"/*
CHECK_PID=""
# shellcheck disable=SC2317  # called by bench_cleanup
bench_cleanup_hook() {
  [[ -n $CHECK_PID ]] && kill -TERM "$CHECK_PID" 2>/dev/null
  rm -f "$S/in.fifo" "$S/out.fifo"
}
bench_guard $((SMOKE ? 600 : 4 * 3600))
start_nginx

# A port nobody listens on: 9 (discard) unless something does.
REFUSED=9
if port_in_use "$REFUSED"; then
  for ((REFUSED = PORT_BASE + 90; REFUSED < PORT_BASE + 100; REFUSED++)); do
    port_in_use "$REFUSED" || break
  done
fi
port_in_use "$REFUSED" && die "no refused port found"
URL_OK="http://127.0.0.1:$HTTP_PORT/1k"
URL_REFUSED="http://127.0.0.1:$REFUSED/1k"

# gen FROM TO: URL i is the refused port's when i is a multiple of K
gen() {
  awk -v a="$1" -v b="$2" -v k="$K" -v ok="$URL_OK" -v no="$URL_REFUSED" 'BEGIN {
    for (i = a; i <= b; i++) printf "%s?i=%d\n", (i % k ? ok : no), i }'
}

# The checker: reads volley's records ("SEQ\tCODE\tBYTES\tKIND\tURL"),
# keeps only counts and a window of out-of-order seqs; appends "ack M" to
# the file ack once every seq 1..M has its record, for each mark M, and
# writes its counts to check.out at the end.
# mawk reads a pipe in whole blocks unless told it is interactive
STREAM_AWK=(awk)
awk -W version 2>&1 | grep -q mawk && STREAM_AWK=(awk -W interactive)
# shellcheck disable=SC2016  # the awk program is single-quoted on purpose
check() {
  "${STREAM_AWK[@]}" -F'\t' -v k="$K" -v marks="$1" -v ack="$S/ack" '
    BEGIN { nm = split(marks, m, ","); mi = 1 }
    {
      n++
      seq = $1; u = $5; sub(/.*[?]i=/, "", u)
      if (seq !~ /^[0-9]+$/ || seq != u + 0) { wrong++; if (wrong <= 5) print "wrong seq: " $0 > "/dev/stderr"; next }
      seq += 0
      if (seq <= lw || (seq in seen)) { dup++; if (dup <= 5) print "repeated: " $0 > "/dev/stderr"; next }
      if (seq % k == 0) {
        if ($2 == 0 && $4 == "connect") refused++
        else { bad++; if (bad <= 5) print "expected a refused connect: " $0 > "/dev/stderr" }
      } else if ($2 == 200 && $3 == 1024 && $4 == "") ok++
      else { bad++; if (bad <= 5) print "expected 200 and 1024 bytes: " $0 > "/dev/stderr" }
      seen[seq] = 1; w++
      while ((lw + 1) in seen) { delete seen[lw + 1]; lw++; w-- }
      if (w > maxw) maxw = w
      while (mi <= nm && lw >= m[mi] + 0) { print "ack " m[mi] > ack; fflush(ack); mi++ }
    }
    END { printf "records %d ok %d refused %d bad %d wrong %d repeated %d contiguous %d window %d\n",
            n, ok, refused, bad, wrong, dup, lw, maxw }' >"$S/check.out" 2>"$S/check.err"
}

# census PID -> "RSS_KB HWM_KB FDS CONNS OTHER": OTHER counts the fds that
# are not TCP connections to nginx (CONNS) - the standard ones, the event
# loop's, and anything leaked
census() {
  local pid=$1
  local rss hwm
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
  echo "$rss $hwm $(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 -printf '%l\n' 2>/dev/null |
    awk -v port="$(printf '%04X' "$HTTP_PORT")" '
      FILENAME != "-" { if (FNR > 1 && $4 == "01") { split($3, r, ":"); if (r[2] == port) est[$10] = 1 }; next }
      { fds++; if (match($0, /^socket:\[[0-9]+\]$/) && substr($0, 9, length($0) - 9) in est) conns++ }
      END { print fds + 0, conns + 0, fds - conns }' /proc/net/tcp /proc/net/tcp6 -)"
}

# idle PID: wait (at most 10 s) until the fresh process sleeps with a
# stable fd count: it is up and waiting for its first line
idle() {
  local pid=$1 a b i
  for ((i = 0; i < 50; i++)); do
    a=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    sleep 0.2
    b=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    [[ $a == "$b" && $(awk '{ print $3 }' "/proc/$pid/stat") == S ]] && return 0
  done
  return 1
}

MARKS=("$((N / 10))" "$((N / 2))" "$N")
# wait_ack M SECONDS: until the checker has seen every record up to M
wait_ack() {
  local end=$((SECONDS + $2))
  until grep -qx "ack $1" "$S/ack" 2>/dev/null; do
    if ((SECONDS >= end)) || ! kill -0 "$CHECK_PID" 2>/dev/null; then return 1; fi
    sleep 0.05
  done
}

mkfifo "$S/in.fifo" "$S/out.fifo"
: >"$S/ack"
exec {IN}<>"$S/in.fifo"
check "$(IFS=,; echo "${MARKS[*]}")" <"$S/out.fifo" {IN}>&- &
CHECK_PID=$!
CMD=("$VOLLEY" -j "$C" -q -w '%{seq}\t%{http_code}\t%{size_download}\t%{error_kind}\t%{url}\n' -)
log "soak: $N URLs at -j $C, every ${K}th to refused port $REFUSED; volley: $VOLLEY"
T0=$EPOCHREALTIME
"${CMD[@]}" <"$S/in.fifo" >"$S/out.fifo" 2>"$S/volley.err" {IN}>&- &
CHILD_PID=$!
idle "$CHILD_PID" || die "volley did not come up (see ${S#"$ROOT"/}/volley.err)"
read -r -a START < <(census "$CHILD_PID")
log "start: RSS ${START[0]} kB, ${START[2]} fds"

FAIL=() ROWS=() prev=0
for m in "${MARKS[@]}"; do
  gen $((prev + 1)) "$m" >&"$IN"
  if ! wait_ack "$m" "$(chunk_limit $((m - prev)))"; then
    FAIL+=("records up to URL $m did not all arrive within $(chunk_limit $((m - prev)))s")
    kill -TERM "$CHILD_PID" 2>/dev/null || true
    break
  fi
  read -r -a x < <(census "$CHILD_PID")
  if [[ -n ${SOAK_AT_QUIET:-} ]]; then $SOAK_AT_QUIET "$CHILD_PID" >>"$S/at-quiet.out" 2>&1 || true; fi
  t=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
  ROWS+=("$m $t ${x[*]}")
  log "$(awk -v m="$m" -v n="$N" 'BEGIN { printf "%3d %%", m * 100 / n }'): $m records after ${t}s; RSS ${x[0]} kB (peak ${x[1]}), ${x[2]} fds = ${x[3]} connections to nginx + ${x[4]} others"
  prev=$m
done
exec {IN}>&-                     # end of the list: volley finishes and exits
rc=0
wait "$CHILD_PID" || rc=$?
CHILD_PID=""
wait "$CHECK_PID" || true
CHECK_PID=""
WALL=$(awk -v a="$T0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
# R: records ok refused bad wrong repeated contiguous window (check.out's values)
read -r -a R < <(awk '{ for (i = 2; i <= NF; i += 2) printf "%s ", $i; print "" }' "$S/check.out" 2>/dev/null)
((${#R[@]} == 8)) || R=(0 0 0 0 0 0 0 0)

# --- verdicts -----------------------------------------------------------------
EXPECT_REFUSED=$((N / K))
((R[0] == N)) || FAIL+=("${R[0]} records for $N URLs")
((R[6] == N)) || FAIL+=("records 1..${R[6]} are contiguous; $((N - R[6])) missing after that")
((R[5] == 0)) || FAIL+=("${R[5]} repeated records")
((R[4] == 0)) || FAIL+=("${R[4]} records whose seq is not their URL's")
((R[3] == 0)) || FAIL+=("${R[3]} records with the wrong outcome (see ${S#"$ROOT"/}/check.err)")
((R[2] == EXPECT_REFUSED)) || FAIL+=("${R[2]} refused records, $EXPECT_REFUSED expected")
want_rc=0; ((EXPECT_REFUSED > 0)) && want_rc=3
((rc == want_rc)) || FAIL+=("volley exited $rc, $want_rc expected (see ${S#"$ROOT"/}/volley.err)")
if ((${#ROWS[@]} == ${#MARKS[@]})); then
  read -r -a A <<<"${ROWS[0]}"; read -r -a Z <<<"${ROWS[2]}"
  # fields: mark time rss hwm fds conns other
  ((Z[6] == START[4])) || FAIL+=("fd leak: ${Z[6]} fds other than connections at 100 %, ${START[4]} at start")
  for row in "${ROWS[@]}"; do
    read -r -a x <<<"$row"
    # volley's connection caches hold at most 4 per transfer of -j in all
    # (PREPARE_CACHE_PER_TRANSFER; over several loops a loop's idle ones are
    # not the others'), within the open files it reserves for them
    ((x[5] <= 4 * C)) || FAIL+=("${x[5]} connections to nginx at ${x[0]} records, more than 4 × -j $C")
  done
  if ((!SMOKE)) && ((Z[2] > A[2] + RSS_SLACK_KB)); then
    FAIL+=("RSS grew from ${A[2]} kB at 10 % to ${Z[2]} kB at 100 % (more than $RSS_SLACK_KB kB)")
  fi
fi

suffix=""; ((SMOKE)) && suffix=-smoke
OUT=$WORK/SOAK$suffix.md
{
  echo "# volley soak"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'); \`${VOLLEY#"$ROOT"/}\` ($("$VOLLEY" --version 2>&1 | head -1)); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "$N URLs streamed through a FIFO, -j $C, every ${K}th URL to 127.0.0.1:$REFUSED (refused); nginx 1 worker, keep-alive; wall ${WALL} s ($(awk -v n="$N" -v w="$WALL" 'BEGIN { printf "%.0f", n / w }') URLs/s, with the pauses)."
  echo
  echo "| point | records | after s | RSS kB | peak RSS kB | fds | connections to nginx | other fds |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|"
  echo "| start (idle, before the first line) | 0 | 0 | ${START[0]} | ${START[1]} | ${START[2]} | ${START[3]} | ${START[4]} |"
  for row in "${ROWS[@]}"; do
    read -r -a x <<<"$row"
    echo "| $(awk -v m="${x[0]}" -v n="$N" 'BEGIN { printf "%d %%", m * 100 / n }') | ${x[0]} | ${x[1]} | ${x[2]} | ${x[3]} | ${x[4]} | ${x[5]} | ${x[6]} |"
  done
  echo
  echo "Records: ${R[0]} (ok ${R[1]}, refused ${R[2]} of $EXPECT_REFUSED expected, wrong outcome ${R[3]}, seq not the URL's ${R[4]}, repeated ${R[5]}); seqs 1..${R[6]} all present; at most ${R[7]} records arrived ahead of an earlier one. volley exit status $rc."
  echo
  if ((${#FAIL[@]})); then
    echo "**FAILED**:"
    printf -- '- %s\n' "${FAIL[@]}"
  else
    echo "Passed: every URL has exactly one record with the right outcome; fds other than connections at 100 % = at start; connections ≤ 4 × -j (the connection caches' bound)$( ((SMOKE)) || echo "; RSS at 100 % within $RSS_SLACK_KB kB of RSS at 10 %")."
  fi
} >"$OUT"
cat "$OUT"
((${#FAIL[@]} == 0))
