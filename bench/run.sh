#!/usr/bin/env bash
# volley benchmark suite: volley against curl --parallel, wget2 and wrk on a
# local nginx, in one run, interleaved, medians.  See bench/README.md.
#
#   bench/run.sh [--smoke] [--volley PATH] [--reps N] [--out FILE] [scenario...]
#
# scenarios: throughput scale latency large h2 many-hosts tls-many (default: all)
set -euo pipefail
export LC_ALL=C

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

ALL_SCENARIOS=(throughput scale latency large h2 many-hosts tls-many)
HANDFUL=4            # h2: "a handful of connections" means at most this many

usage() {
  cat <<EOF
usage: bench/run.sh [--smoke] [--volley PATH] [--reps N] [--out FILE] [--report-only] [scenario...]

  --smoke        1 repetition, ~1-2k URLs per scenario: the whole suite in seconds
  --volley PATH  the volley binary (default: build-release/volley, else build/volley)
  --reps N       repetitions per client (default 3; --smoke: 1); medians are reported
  --out FILE     the report (default bench/RESULTS.md; --smoke: bench/work/RESULTS-smoke.md)
  --report-only  only rewrite the report from the last run's data in bench/work/
  scenario       any of: ${ALL_SCENARIOS[*]} (default: all)

environment: BENCH_PORT_BASE (default: first free of 23080, 24080, ...),
  BENCH_MAX_SECONDS (overall watchdog), BENCH_LATENCY_SERVER (auto|nginx|fixture)
EOF
}

SMOKE=0 VOLLEY_OPT="" REPS="" OUT="" SCENARIOS=() REPORT_ONLY=0
ORIG_ARGS="$*"
while (($#)); do
  case $1 in
    --smoke) SMOKE=1 ;;
    --volley) VOLLEY_OPT=${2:?--volley needs a path}; shift ;;
    --volley=*) VOLLEY_OPT=${1#*=} ;;
    --reps) REPS=${2:?--reps needs a number}; shift ;;
    --out) OUT=${2:?--out needs a file}; shift ;;
    --report-only) REPORT_ONLY=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage >&2; exit 2 ;;
    *)
      [[ " ${ALL_SCENARIOS[*]} " == *" $1 "* ]] || { echo "unknown scenario: $1" >&2; usage >&2; exit 2; }
      SCENARIOS+=("$1") ;;
  esac
  shift
done
((${#SCENARIOS[@]})) || SCENARIOS=("${ALL_SCENARIOS[@]}")
RUNS=$WORK/runs.tsv
CLK_TCK=$(getconf CLK_TCK)
if ((REPORT_ONLY)); then   # rewrite the report of the last run from bench/work/
  [[ -s $WORK/meta.env && -s $RUNS ]] || { echo "no finished run in $WORK" >&2; exit 1; }
  # shellcheck source=/dev/null
  . "$WORK/meta.env"
  set_ports "$PORT_BASE"
fi

if ((SMOKE)); then
  REPS=${REPS:-1}
  N_THR=2000; SCALE_N=(1000 2000 5000); N_LAT=200; N_LARGE=500; N_H2=2000; N_MH=2000; N_TLS=640
  WRK_SECS=1; MAX_SECONDS=${BENCH_MAX_SECONDS:-600}
  OUT=${OUT:-$WORK/RESULTS-smoke.md}
else
  REPS=${REPS:-3}
  N_THR=1000000; SCALE_N=(10000 1000000 10000000); N_LAT=2000; N_LARGE=20000; N_H2=200000; N_MH=100000; N_TLS=5000
  WRK_SECS=5; MAX_SECONDS=${BENCH_MAX_SECONDS:-14400}
  OUT=${OUT:-$BENCH_DIR/RESULTS.md}
fi
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "--reps must be a positive integer" >&2; exit 2; }
C_THR=50 C_LAT=100 C_LARGE=20 C_H2=100 C_MH=50 PER_HOST=8 C_TLS=64 TLS_WORKERS=2
NCPU=$(nproc)

# --- set-up ------------------------------------------------------------------
if ((!REPORT_ONLY)); then

ensure_deps nginx:nginx-light curl:curl wget2:wget2 wrk:wrk /usr/bin/time:time \
  openssl:openssl timeout:coreutils ss:iproute2 pgrep:procps awk:mawk
if [[ ! -e $ECHO_MODULE && $(id -u) -eq 0 ]]; then   # optional: the 100 ms endpoint
  (ensure_deps "$ECHO_MODULE:libnginx-mod-http-echo") || log "no echo module: latency will use build/volley-fixture"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

VOLLEY=$(find_volley "$VOLLEY_OPT")
mkdir -p "$WORK"
rm -rf "$WORK/runs" "$WORK/lists"
mkdir -p "$WORK/runs" "$WORK/lists"
: >"$RUNS"
: >"$WORK/commands.txt"
: >"$WORK/notes.txt"
# shellcheck disable=SC2317  # called by bench_cleanup
bench_cleanup_hook() { rm -f "$WORK/lists/"* 2>/dev/null; }
bench_guard "$MAX_SECONDS"

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
START_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
start_nginx

VOLLEY_STATE=missing
VOLLEY_STALE=""
if [[ -n $VOLLEY ]]; then
  VOLLEY_STATE=present; log "volley: $VOLLEY"
  if [[ $VOLLEY == "$ROOT"/* ]] &&
     [[ -n $(find "$ROOT/src" "$ROOT/include" "$ROOT/CMakeLists.txt" -newer "$VOLLEY" -type f 2>/dev/null | head -1) ]]; then
    VOLLEY_STALE=1; log "warning: $VOLLEY is older than the sources (rebuild it)"
  fi
else log "volley binary not found: running the peers only"; fi

# probe_volley ARGS... URL  -> 0 works, 2 usage error (flag not supported), 1 other
probe_volley() {
  local url=${*: -1} rc=0
  printf '%s\n' "$url" >"$WORK/probe.list"
  timeout -k 2 20 "$VOLLEY" -j 2 -q --format text "${@:1:$#-1}" "$WORK/probe.list" \
    >"$WORK/probe.out" 2>"$WORK/probe.err" || rc=$?
  if ((rc == 0)) && awk '$1 == 200 && $3 == 1024 { ok = 1 } END { exit !ok }' "$WORK/probe.out"; then
    return 0
  fi
  ((rc == 2)) && return 2
  return 1
}
# probe_flag ARGS... URL -> "yes" unless volley calls ARGS a usage error (a
# flag that works, or fails for another reason, is run: verification shows)
probe_flag() {
  local r=0
  probe_volley "$@" || r=$?
  if ((r == 2)); then echo no; else echo yes; fi
}
V_BASIC=no V_PERHOST=no V_H2=no V_THREADS=no
if [[ $VOLLEY_STATE == present ]]; then
  probe_volley "http://127.0.0.1:$HTTP_PORT/1k" && V_BASIC=yes
  V_PERHOST=$(probe_flag --per-host "$PER_HOST" "http://127.0.0.1:$HTTP_PORT/1k")
  V_H2=$(probe_flag --cacert "$WORK/tls/ca.pem" --http2 "https://127.0.0.1:$HTTPS_PORT/1k")
  V_THREADS=$(probe_flag --threads 1 "http://127.0.0.1:$HTTP_PORT/1k")
  log "volley probes: basic=$V_BASIC per-host=$V_PERHOST h2(--cacert --http2)=$V_H2 threads=$V_THREADS"
  [[ $V_BASIC == yes ]] || { log "warning: volley failed a 1-URL probe:"; head -5 "$WORK/probe.err" >&2 || true; }
fi

CLIENTS=(curl wget2)
[[ $VOLLEY_STATE == present ]] && CLIENTS=(volley curl wget2)
VOLLEY_VERSION=""
[[ $VOLLEY_STATE == present ]] && VOLLEY_VERSION=$("$VOLLEY" --version 2>&1 | head -1 || true)
CURL_VERSION=$(curl -V | head -1)
WGET2_VERSION=$(wget2 --version 2>/dev/null | head -1)
NGINX_VERSION=$(nginx -v 2>&1 | head -1)
WRK_VERSION=$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//' || true)
fi   # set-up

note() { printf '%s\t%s\n' "$1" "$2" >>"$WORK/notes.txt"; log "$1: $2"; }

# record_cmd SCENARIO LABEL CMD...  (once per scenario+label)
record_cmd() {
  local scen=$1 label=$2; shift 2
  grep -q "^$scen	$label	" "$WORK/commands.txt" 2>/dev/null && return 0
  local s="" a
  for a in "$@"; do
    a=${a//$WORK/bench/work}; a=${a//$ROOT\//}
    [[ $a =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]] || a="'${a//\'/\'\\\'\'}'"
    s+="${s:+ }$a"
  done
  printf '%s\t%s\t%s\n' "$scen" "$label" "$s" >>"$WORK/commands.txt"
}

# --- one measured client run ----------------------------------------------------

# runs.tsv: SCEN VAR CLIENT REP N WALL USER SYS RSS_KB ACCEPTS REQUESTS
#           NGINX_TICKS OK RECORDS RC VERDICT BUSY_TICKS
add_row() {  # SCEN VAR CLIENT REP N WALL OK RECORDS RC VERDICT TIMEFILE
  local user sys rss acc req wt bt
  read -r _ user sys rss < <(time_fields "${11}")
  read -r acc req wt bt <<<"$DELTA"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$1" "$2" "$3" "$4" "$5" "$6" "$user" "$sys" "$rss" "$acc" "$req" "$wt" \
    "$7" "$8" "$9" "${10}" "$bt" >>"$RUNS"
}

# count_ok KIND SIZE RECORDS BAD -> "OK TOTAL": records with status 200 and
# SIZE bytes, and all records; the first 20 others go to BAD
#   KIND: volley (stdout "STATUS TIME BYTES URL"), curl (stdout "CODE SIZE"),
#         wget2 (its --stats-site csv)
count_ok() {
  local kind=$1 size=$2 rec=$3 bad=$4
  [[ -s $rec ]] || { echo "0 0"; return; }
  local fs=' ' code=1 len=3 header=0
  case $kind in
    curl) len=2 ;;
    wget2) fs=, code=4 len=8 header=1 ;;
  esac
  awk -F "$fs" -v c="$code" -v l="$len" -v s="$size" -v header="$header" '
    header && FNR == 1 { next }
    { n++
      if ($c == 200 && $l == s) ok++
      else if (bad++ < 20) print > "/dev/stderr" }
    END { print ok + 0, n + 0 }' "$rec" 2>"$bad"
}

# run_one SCEN VARIANT CLIENT REP N SIZE KIND RECORDS -- CMD...
#   KIND as for count_ok; for wget2 RECORDS is its csv and stdout is discarded
run_one() {
  local scen=$1 var=$2 client=$3 rep=$4 n=$5 size=$6 kind=$7 rec=$8
  shift 9
  local base=$WORK/runs/$scen-$var-$client-$rep out=$rec
  [[ $kind == wget2 ]] && out=$base.stdout
  record_cmd "$scen" "$client" "$@"
  rm -f "$rec"
  measure_start
  timed $((60 + n / 2000)) "$base.time" "$out" "$base.err" "$@"
  measure_end
  watchdog_fired
  local ok total rc=$TIMED_RC verdict=OK wall=$WALL
  read -r ok total < <(count_ok "$kind" "$size" "$rec" "$base.bad")
  ((rc == 0 && ok == n && total == n)) || verdict=FAILED
  add_row "$scen" "$var" "$client" "$rep" "$n" "$wall" "$ok" "$total" "$rc" "$verdict" "$base.time"
  local user sys rss
  read -r _ user sys rss < <(time_fields "$base.time")
  log "$(printf '%-10s %-9s %-14s rep %s: %8.0f URLs/s  %6.1f us/URL  %7.1f MB  conns %s  %s%s' \
    "$scen" "$var" "$client" "$rep" "$(awk -v n="$n" -v w="$wall" 'BEGIN { print n / w }')" \
    "$(awk -v n="$n" -v u="$user" -v s="$sys" 'BEGIN { print (u + s) / n * 1e6 }')" \
    "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "${DELTA%% *}" "$verdict" \
    "$( [[ $verdict == OK ]] || echo " (exit $rc, $ok/$n ok, $total records; see ${base#"$ROOT"/}.err/.bad)")")"
  rm -f "$rec" "$out"   # big; the first bad lines are kept in .bad
}

# run_wrk SCEN VARIANT REP CONNS URL   (the ceiling: one URL, keep-alive)
run_wrk() {
  local scen=$1 var=$2 rep=$3 c=$4 url=$5
  local base=$WORK/runs/$scen-$var-wrk-$rep
  local cmd=(wrk -t1 -c "$c" -d "${WRK_SECS}s" "$url")
  record_cmd "$scen" wrk "${cmd[@]}"
  measure_start
  timed $((WRK_SECS + 30)) "$base.time" "$base.out" "$base.err" "${cmd[@]}"
  measure_end
  watchdog_fired
  local n dur bad verdict=OK
  read -r n dur < <(awk '/ requests in / { n = $1; d = $4; gsub(/,/, "", d)
      if (d ~ /ms$/) { sub(/ms$/, "", d); d /= 1000 } else if (d ~ /m$/) { sub(/m$/, "", d); d *= 60 }
      else sub(/s$/, "", d); print n, d }' "$base.out")
  bad=$(awk '/Non-2xx|Socket errors/ { b++ } END { print b + 0 }' "$base.out")
  [[ -n ${n:-} && $n -gt 0 && $TIMED_RC -eq 0 && $bad -eq 0 ]] || verdict=FAILED
  DELTA="${DELTA% * *} 0 ${DELTA##* }"   # wrk's server CPU is not reported
  add_row "$scen" "$var" wrk "$rep" "${n:-0}" "${dur:-1}" "${n:-0}" "${n:-0}" "$TIMED_RC" "$verdict" "$base.time"
  log "$(printf '%-10s %-9s %-14s rep %s: %8.0f req/s (ceiling)  %s' "$scen" "$var" wrk "$rep" \
    "$(awk -v n="${n:-0}" -v d="${dur:-1}" 'BEGIN { print n / d }')" "$verdict")"
}

# The three list fetchers.  $1 variant, $2 rep, $3 N, $4 size, $5 C, $6 list,
# $7 curl config, then extra flags for volley (curl/wget2 extras via globals).
CURL_EXTRA=() WGET2_EXTRA=()
run_volley() {
  local scen=$1 var=$2 rep=$3 n=$4 size=$5 c=$6 list=$7 label=$8; shift 8
  run_one "$scen" "$var" "$label" "$rep" "$n" "$size" volley "$WORK/runs/rec.txt" -- \
    "$VOLLEY" -j "$c" -q --format text "$@" "$list"
}
run_curl() {
  local scen=$1 var=$2 rep=$3 n=$4 size=$5 c=$6 cfg=$7
  run_one "$scen" "$var" curl "$rep" "$n" "$size" curl "$WORK/runs/rec.txt" -- \
    curl -q --parallel --parallel-max "$c" --no-progress-meter "${CURL_EXTRA[@]}" \
    -w '%{http_code} %{size_download}\n' -K "$cfg"
}
run_wget2() {
  local scen=$1 var=$2 rep=$3 n=$4 size=$5 c=$6 list=$7
  run_one "$scen" "$var" wget2 "$rep" "$n" "$size" wget2 "$WORK/runs/stats.csv" -- \
    wget2 --no-config --no-hsts --no-hpkp --no-ocsp -q --max-threads "$c" "${WGET2_EXTRA[@]}" \
    -O /dev/null --stats-site="csv:$WORK/runs/stats.csv" -i "$list"
}

# run_volleys SCEN VARIANT REP N SIZE C LIST [flags...]  volley, then
# volley-t1 (the same with --threads 1) when the calling scenario has set
# T1=1 and the binary accepts --threads: the comparison appears by itself
# once the option lands
run_volleys() {
  local scen=$1 var=$2 rep=$3 n=$4 size=$5 c=$6 list=$7; shift 7
  run_volley "$scen" "$var" "$rep" "$n" "$size" "$c" "$list" volley "$@"
  if ((${T1:-0})) && [[ $V_THREADS == yes ]]; then
    run_volley "$scen" "$var" "$rep" "$n" "$size" "$c" "$list" volley-t1 --threads 1 "$@"
  fi
}

# run_set SCEN VARIANT N SIZE C LIST CFG REP [volley extra flags...]
run_set() {
  local scen=$1 var=$2 n=$3 size=$4 c=$5 list=$6 cfg=$7 rep=$8; shift 8
  local cl
  for cl in "${CLIENTS[@]}"; do
    case $cl in
      volley) run_volleys "$scen" "$var" "$rep" "$n" "$size" "$c" "$list" "$@" ;;
      curl) run_curl "$scen" "$var" "$rep" "$n" "$size" "$c" "$cfg" ;;
      wget2) run_wget2 "$scen" "$var" "$rep" "$n" "$size" "$c" "$list" ;;
    esac
  done
}

# --- scenarios -----------------------------------------------------------------

L=$WORK/lists
URL_1K="http://127.0.0.1:$HTTP_PORT/1k"

sc_throughput() {
  local T1=1
  log "throughput: $N_THR URLs of 1 KiB, C=$C_THR"
  gen_urls "$L/thr.txt" "$N_THR" "$URL_1K"; curl_config "$L/thr.txt" "$L/thr.cfg"
  local rep
  for ((rep = 1; rep <= REPS; rep++)); do
    run_set throughput "$N_THR" "$N_THR" 1024 "$C_THR" "$L/thr.txt" "$L/thr.cfg" "$rep"
    run_wrk throughput "$N_THR" "$rep" "$C_THR" "$URL_1K"
  done
  rm -f "$L/thr.txt" "$L/thr.cfg"
}

sc_scale() {
  local i n rep
  for i in "${!SCALE_N[@]}"; do
    n=${SCALE_N[$i]}
    log "scale: $n URLs of 1 KiB, C=$C_THR"
    gen_urls "$L/scale.txt" "$n" "$URL_1K"
    local last=$((${#SCALE_N[@]} - 1))
    if ((i == last)); then
      # the largest list: volley only, once
      [[ $VOLLEY_STATE == present ]] || { note scale "volley missing: ${n}-URL run skipped"; continue; }
      run_volley scale "$n" 1 "$n" 1024 "$C_THR" "$L/scale.txt" volley
    else
      curl_config "$L/scale.txt" "$L/scale.cfg"
      for ((rep = 1; rep <= REPS; rep++)); do
        run_set scale "$n" "$n" 1024 "$C_THR" "$L/scale.txt" "$L/scale.cfg" "$rep"
      done
    fi
    rm -f "$L/scale.txt" "$L/scale.cfg"
  done
}

LAT_MODE=${LAT_MODE:-}
sc_latency() {
  local url want=${BENCH_LATENCY_SERVER:-auto}   # auto | nginx | fixture
  if ((HAVE_ECHO)) && [[ $want != fixture ]]; then
    url="http://127.0.0.1:$HTTP_PORT/delay"; LAT_MODE="nginx echo module, echo_sleep 0.1"
  elif [[ $want != nginx ]] && start_fixture $((120 + REPS * 3 * (N_LAT / C_LAT + 30))); then
    url="http://127.0.0.1:$FIXTURE_PORT/delay/100"; LAT_MODE="build/volley-fixture /delay/100"
    NGINX_SERVES=0
  else
    note latency "skipped: no 100 ms endpoint (neither nginx's echo module nor build/volley-fixture)"
    return 0
  fi
  log "latency: $N_LAT URLs answered after 100 ms, C=$C_LAT, via $LAT_MODE"
  gen_urls "$L/lat.txt" "$N_LAT" "$url"; curl_config "$L/lat.txt" "$L/lat.cfg"
  local rep
  for ((rep = 1; rep <= REPS; rep++)); do
    run_set latency "$N_LAT" "$N_LAT" 3 "$C_LAT" "$L/lat.txt" "$L/lat.cfg" "$rep"
  done
  stop_fixture; NGINX_SERVES=1
  rm -f "$L/lat.txt" "$L/lat.cfg"
}

sc_large() {
  log "large: $N_LARGE URLs of 100 KiB, C=$C_LARGE"
  local u="http://127.0.0.1:$HTTP_PORT/100k"
  gen_urls "$L/large.txt" "$N_LARGE" "$u"; curl_config "$L/large.txt" "$L/large.cfg"
  local rep
  for ((rep = 1; rep <= REPS; rep++)); do
    run_set large "$N_LARGE" "$N_LARGE" 102400 "$C_LARGE" "$L/large.txt" "$L/large.cfg" "$rep"
    run_wrk large "$N_LARGE" "$rep" "$C_LARGE" "$u"
  done
  rm -f "$L/large.txt" "$L/large.cfg"
}

sc_h2() {
  log "h2: $N_H2 URLs of 1 KiB over HTTPS + HTTP/2, C=$C_H2"
  local ca=$WORK/tls/ca.pem
  gen_urls "$L/h2.txt" "$N_H2" "https://127.0.0.1:$HTTPS_PORT/1k"; curl_config "$L/h2.txt" "$L/h2.cfg"
  local saved=("${CLIENTS[@]}")
  if [[ $VOLLEY_STATE == present && $V_H2 != yes ]]; then
    note h2 "volley: --cacert/--http2 not supported yet (usage error on the probe)"
    CLIENTS=(curl wget2)
  fi
  CURL_EXTRA=(--cacert "$ca" --http2) WGET2_EXTRA=(--ca-certificate="$ca" --http2)
  local rep
  for ((rep = 1; rep <= REPS; rep++)); do
    run_set h2 "$N_H2" "$N_H2" 1024 "$C_H2" "$L/h2.txt" "$L/h2.cfg" "$rep" --cacert "$ca" --http2
  done
  CURL_EXTRA=() WGET2_EXTRA=() CLIENTS=("${saved[@]}")
  rm -f "$L/h2.txt" "$L/h2.cfg"
}

sc_many_hosts() {
  local T1=1
  log "many-hosts: $N_MH URLs over $MH_ORIGINS origins, C=$C_MH, volley --per-host $PER_HOST"
  gen_urls_origins "$L/mh.txt" "$N_MH" http "$MH_PORT0" /1k; curl_config "$L/mh.txt" "$L/mh.cfg"
  gen_urls "$L/one.txt" "$N_MH" "$URL_1K"
  [[ $VOLLEY_STATE == present && $V_PERHOST != yes ]] &&
    note many-hosts "volley: --per-host not supported yet (usage error); volley ran without it"
  local rep cl
  for ((rep = 1; rep <= REPS; rep++)); do
    for cl in "${CLIENTS[@]}"; do
      case $cl in
        volley)
          run_volley many-hosts "$N_MH" "$rep" "$N_MH" 1024 "$C_MH" "$L/one.txt" "volley-1origin"
          if [[ $V_PERHOST == yes ]]; then
            run_volleys many-hosts "$N_MH" "$rep" "$N_MH" 1024 "$C_MH" "$L/mh.txt" --per-host "$PER_HOST"
          else
            run_volleys many-hosts "$N_MH" "$rep" "$N_MH" 1024 "$C_MH" "$L/mh.txt"
          fi ;;
        curl) run_curl many-hosts "$N_MH" "$rep" "$N_MH" 1024 "$C_MH" "$L/mh.cfg" ;;
        wget2) run_wget2 many-hosts "$N_MH" "$rep" "$N_MH" 1024 "$C_MH" "$L/mh.txt" ;;
      esac
    done
  done
  rm -f "$L/mh.txt" "$L/mh.cfg" "$L/one.txt"
}

# tls-many: what one core costs where the client's CPU is the limit.  nginx
# runs with TLS_WORKERS workers for it (and goes back to one afterwards).
sc_tls_many() {
  local T1=1 ca=$WORK/tls/ca.pem rep
  log "tls-many: $N_TLS HTTPS URLs over $MH_ORIGINS origins, a full handshake each, nginx $TLS_WORKERS workers, C=$C_TLS"
  restart_nginx "$TLS_WORKERS"
  gen_urls_origins "$L/tls.txt" "$N_TLS" https "$TLS_PORT0" /1k; curl_config "$L/tls.txt" "$L/tls.cfg"
  CURL_EXTRA=(--cacert "$ca") WGET2_EXTRA=(--ca-certificate="$ca")
  for ((rep = 1; rep <= REPS; rep++)); do
    run_set tls-many "$N_TLS" "$N_TLS" 1024 "$C_TLS" "$L/tls.txt" "$L/tls.cfg" "$rep" --cacert "$ca"
  done
  CURL_EXTRA=() WGET2_EXTRA=()
  rm -f "$L/tls.txt" "$L/tls.cfg"
  restart_nginx 1
}

if ((!REPORT_ONLY)); then
  for s in "${SCENARIOS[@]}"; do
    case $s in
      throughput) sc_throughput ;; scale) sc_scale ;; latency) sc_latency ;;
      large) sc_large ;; h2) sc_h2 ;; many-hosts) sc_many_hosts ;; tls-many) sc_tls_many ;;
    esac
  done
  END_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
  declare -p SMOKE REPS SCENARIOS ORIG_ARGS START_LOAD START_DATE END_LOAD VOLLEY VOLLEY_STATE \
    VOLLEY_STALE V_BASIC V_PERHOST V_H2 V_THREADS CLIENTS LAT_MODE PORT_BASE NCPU VOLLEY_VERSION CURL_VERSION \
    WGET2_VERSION NGINX_VERSION WRK_VERSION | sed 's/^declare -[-a]* /declare -g /; s/^declare -g -a /declare -ga /' >"$WORK/meta.env"
fi

# --- report ------------------------------------------------------------------------

# summ SCEN VARIANT CLIENT -> "runs failedruns failedurls rate cpu_us rss_mb conns srv_us ratelist"
summ() {
  awk -F'\t' -v sc="$1" -v va="$2" -v cl="$3" -v tck="$CLK_TCK" '
    function med(a, k,   i, j, t) {
      for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    $1 == sc && $2 == va && $3 == cl {
      k++; r[k] = $5 / $6; c[k] = ($7 + $8) / $5 * 1e6; m[k] = $9 / 1024; a[k] = $10
      s[k] = $12 / tck / $5 * 1e6
      if ($16 != "OK") { fr++; fu += $5 - $13 }
      rl = rl (rl == "" ? "" : ",") sprintf("%.0f", $5 / $6)
    }
    END {
      if (!k) { print "0 0 0 0 0 0 0 0 -"; exit }
      printf "%d %d %d %.1f %.2f %.1f %s %.2f %s\n", k, fr, fu, med(r, k), med(c, k), med(m, k), med(a, k), med(s, k), rl
    }' "$RUNS"
}

# pratio SCEN VARIANT A B -> median over repetitions of rate(A) / rate(B),
# pairing the runs of the same repetition (they ran next to each other, so
# load drifting on the machine cancels out); "n/a" if either failed.
pratio() {
  awk -F'\t' -v sc="$1" -v va="$2" -v a="$3" -v b="$4" '
    $1 == sc && $2 == va && ($3 == a || $3 == b) {
      if ($16 != "OK") bad = 1
      r[$3, $4] = $5 / $6; reps[$4] = 1
    }
    END {
      if (bad) { print "n/a"; exit }
      for (p in reps) if ((a, p) in r && (b, p) in r && r[b, p] > 0) x[++k] = r[a, p] / r[b, p]
      if (!k) { print "n/a"; exit }
      for (i = 2; i <= k; i++) { t = x[i]; for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]; x[j + 1] = t }
      printf "%.2f\n", (k % 2) ? x[(k + 1) / 2] : (x[k / 2] + x[k / 2 + 1]) / 2
    }' "$RUNS"
}

# summ_x SCEN VARIANT CLIENT -> medians over repetitions of
#   "BUSY_US_PER_URL SHARE_PCT CEILING_URLS_S HANDSHAKES CLIENT_MS_PER_HS NGINX_MS_PER_HS FLOOR_S WALL_S"
# BUSY is the whole machine's busy CPU (/proc/stat: client + nginx + kernel +
# anything else running); the ceiling is NCPU cores / busy CPU per URL, and
# the share of it is busy CPU / (NCPU × wall).  A handshake is a connection
# nginx accepted (tls-many); FLOOR is the wall time if client + nginx CPU
# were spread over every core: (client CPU + nginx CPU) / NCPU.
summ_x() {
  awk -F'\t' -v sc="$1" -v va="$2" -v cl="$3" -v tck="$CLK_TCK" -v ncpu="$NCPU" '
    function med(a, k,   i, j, t) {
      if (!k) return "n/a"
      for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    function f(x, fmt) { return x == "n/a" ? x : sprintf(fmt, x) }
    $1 == sc && $2 == va && $3 == cl && $16 == "OK" {
      cpu = $7 + $8; srv = $12 / tck
      if ($17 > 0) { b++; busy = $17 / tck; bu[b] = busy / $5 * 1e6; sh[b] = busy / (ncpu * $6) * 100; ce[b] = $5 * ncpu / busy }
      if ($10 > 0) { h++; hs[h] = $10; cm[h] = cpu / $10 * 1000; nm[h] = srv / $10 * 1000 }
      k++; fl[k] = (cpu + srv) / ncpu; wa[k] = $6
    }
    END {
      print f(med(bu, b), "%.1f"), f(med(sh, b), "%.1f"), f(med(ce, b), "%.0f"), f(med(hs, h), "%.0f"),
        f(med(cm, h), "%.3f"), f(med(nm, h), "%.3f"), f(med(fl, k), "%.3f"), f(med(wa, k), "%.3f")
    }' "$RUNS"
}

fmt_int() { awk -v x="$1" 'BEGIN { s = sprintf("%.0f", x); o = "";
  while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

TARGETS=()
# target SCEN DESCRIPTION MEASURED STATE(met|MISSED|n/a)
target() { TARGETS+=("| $1 | $2 | $3 | $4 |"); }

declare -A RATE OKC   # RATE[scen/var/client] median URLs/s of a verified client
# table SCEN VARIANT N CLIENT... : prints the markdown table, fills RATE/OKC
table() {
  local scen=$1 var=$2; shift 2
  local vr=""
  read -r -a v < <(summ "$scen" "$var" volley)
  ((v[0] > 0 && v[1] == 0)) && vr=${v[3]}
  echo "| client | URLs/s (median) | CPU µs/URL | peak RSS MB | conns opened (server) | nginx CPU µs/URL | failed URLs | volley ÷ client (paired) | runs (URLs/s) |"
  echo "|---|--:|--:|--:|--:|--:|--:|--:|---|"
  local cl
  for cl in "$@"; do
    read -r -a x < <(summ "$scen" "$var" "$cl")
    if ((x[0] == 0)); then
      continue
    fi
    local rate cpu rss conns srv fails rat name=$cl
    [[ $cl == wrk ]] && name="wrk (ceiling, one URL)"
    if ((x[1] > 0)); then
      rate="**FAILED**"; fails="${x[2]} (${x[1]}/${x[0]} runs)"
    else
      rate=$(fmt_int "${x[3]}"); fails=0
      RATE[$scen/$var/$cl]=${x[3]}
    fi
    OKC[$scen/$var/$cl]=$((x[1] == 0))
    cpu=${x[4]}; rss=${x[5]}; conns=${x[6]}; srv=${x[7]}
    if awk -v c="$conns" 'BEGIN { exit !(c < 0) }'; then conns="n/a"; srv="n/a"; fi
    [[ $cl == wrk ]] && { srv="—"; fails="—"; rss="${x[5]}"; [[ ${x[1]} -gt 0 ]] && fails="errors"; }
    if [[ $cl == volley || -z $vr || ${x[1]} -gt 0 ]]; then rat="—"; else rat="$(pratio "$scen" "$var" volley "$cl")×"; fi
    echo "| $name | $rate | $cpu | $rss | $conns | $srv | $fails | $rat | ${x[8]} |"
  done
}

# ceiling_table SCEN VARIANT CLIENT...  the machine's ceiling, run by run
ceiling_table() {
  local scen=$1 var=$2 cl; shift 2
  echo "The machine's ceiling ($NCPU cores): busy CPU per URL of the whole machine over each client's run (/proc/stat: client + nginx + the kernel's loopback work, and anything else running), ceiling = $NCPU cores ÷ that, and the client's rate as a share of it (= busy CPU ÷ ($NCPU × wall))."
  echo
  echo "| client | machine busy CPU µs/URL | ceiling URLs/s | share of the ceiling |"
  echo "|---|--:|--:|--:|"
  for cl in "$@"; do
    [[ ${OKC[$scen/$var/$cl]:-} == 1 ]] || continue
    read -r -a x < <(summ_x "$scen" "$var" "$cl")
    echo "| $cl | ${x[0]} | $(fmt_int "${x[2]}") | ${x[1]} % |"
  done
}

# handshake_table SCEN VARIANT CLIENT...  client CPU per handshake and the floor
handshake_table() {
  local scen=$1 var=$2 cl; shift 2
  echo "Handshakes are the connections nginx accepted (every one a full handshake: no session cache, no tickets, no keep-alive). The floor is the wall time if the client's and nginx's CPU were spread over all $NCPU cores, (client CPU + nginx CPU) ÷ $NCPU: no client can beat it with the same CPU cost, so wall ÷ floor is the most that spreading this client's work over every core could gain (for volley-t1: what more loops can give at most)."
  echo
  echo "| client | handshakes | client CPU ms/handshake | nginx CPU ms/handshake | wall s | floor s | wall ÷ floor (most to gain) |"
  echo "|---|--:|--:|--:|--:|--:|--:|"
  for cl in "$@"; do
    [[ ${OKC[$scen/$var/$cl]:-} == 1 ]] || continue
    read -r -a x < <(summ_x "$scen" "$var" "$cl")
    echo "| $cl | ${x[3]} | ${x[4]} | ${x[5]} | ${x[7]} | ${x[6]} | $(ratio "${x[7]}" "${x[6]}")× |"
  done
}

# t1_target SCEN VARIANT DESCRIPTION THRESHOLD  default threads ÷ --threads 1
t1_target() {
  local scen=$1 var=$2 desc=$3 th=$4 r
  if [[ $VOLLEY_STATE == present && $V_THREADS != yes ]]; then
    target "$scen" "$desc" "—" "n/a (--threads not supported yet)"
  elif have_v "$scen/$var" && [[ -n ${RATE[$scen/$var/volley-t1]:-} ]]; then
    r=$(pratio "$scen" "$var" volley volley-t1)
    target "$scen" "$desc" "${r}×" "$(verdict_ratio "$r" "$th")"
  else target "$scen" "$desc" "—" "$(vmiss "$scen/$var")"; fi
}

# peer_target SCEN VARIANT PEER THRESHOLD  volley ÷ PEER, URLs/s
peer_target() {
  local scen=$1 var=$2 pe=$3 th=$4 r
  if ! have_v "$scen/$var"; then target "$scen" "≥ ${th}× $pe URLs/s" "—" "$(vmiss "$scen/$var")"
  elif [[ -z ${RATE[$scen/$var/$pe]:-} ]]; then target "$scen" "≥ ${th}× $pe URLs/s" "—" "n/a ($pe failed)"
  else
    r=$(pratio "$scen" "$var" volley "$pe")
    target "$scen" "≥ ${th}× $pe URLs/s" "${r}×" "$(verdict_ratio "$r" "$th")"
  fi
}

cmds() {
  echo
  echo "Commands (work/ is bench/work/; list files hold one URL per line, .cfg files hold \`url = \"...\"\` + \`output = \"/dev/null\"\` pairs):"
  echo
  echo '```'
  awk -F'\t' -v s="$1" '$1 == s { print $2 ":  " $3 }' "$WORK/commands.txt"
  echo '```'
  awk -F'\t' -v s="$1" '$1 == s { print "\n> note: " $2 }' "$WORK/notes.txt"
}

volley_status_note() {
  case $VOLLEY_STATE in
    missing) echo "volley: **missing** (no executable --volley PATH, build-release/volley or build/volley): peers only" ;;
    *) echo "volley: \`${VOLLEY#"$ROOT"/}\` (1-URL probe: basic $V_BASIC, --per-host $V_PERHOST, --cacert/--http2 $V_H2, --threads $V_THREADS)${VOLLEY_STALE:+ — **older than the sources**}" ;;
  esac
}

verdict_ratio() {  # RATIO THRESHOLD -> met / MISSED
  if [[ $1 == n/a ]]; then echo "n/a"; elif ge "$1" "$2"; then echo met; else echo MISSED; fi
}

have_v() { [[ -n ${RATE[$1/volley]:-} ]]; }
vmiss() {  # why volley has no figure for key $1
  if [[ $VOLLEY_STATE == missing ]]; then echo "n/a (volley missing)"
  elif [[ ${OKC[$1/volley]:-} == 0 ]]; then echo "MISSED (volley FAILED verification)"
  else echo "n/a (not run)"; fi
}

{
  echo "# volley benchmark results"
  echo
  echo "Generated by \`bench/run.sh${ORIG_ARGS:+ $ORIG_ARGS}\` on $START_DATE."
  if ((SMOKE)); then
    echo "**Smoke mode**: tiny sizes and one repetition; the figures only show that the suite works, not how fast anything is."
  fi
  echo "Repetitions: $REPS per client, interleaved (volley, curl, wget2, volley, ...); the median is reported."
  echo "Every run is verified: each URL must have a record with status 200 and the exact body size, and the client must exit 0; otherwise the client is shown as FAILED, never as fast."
  echo
  echo "## Machine"
  echo
  echo "- CPUs: $(nproc) × $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "- memory: $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo); kernel $(uname -r); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
  echo "- load average at start: $START_LOAD; at end: $END_LOAD (other work on the machine makes absolute figures noisy: compare ratios)"
  echo
  echo "## Versions"
  echo
  echo "- $(volley_status_note)"
  [[ $VOLLEY_STATE == present ]] && echo "- \`volley --version\`: $VOLLEY_VERSION"
  echo "- $CURL_VERSION"
  echo "- $WGET2_VERSION"
  echo "- $NGINX_VERSION; 1 worker ($TLS_WORKERS for tls-many), access_log off, keep-alive, open_file_cache; HTTP/2 max concurrent streams 256"
  echo "- $WRK_VERSION"
  echo
  echo "## Targets"
  echo
  echo "@@TARGETS@@"
  echo

  for s in "${SCENARIOS[@]}"; do
    case $s in
    throughput)
      echo "## throughput"
      echo
      echo "$N_THR distinct URLs (\`/1k?i=N\`) of a 1 KiB file on one nginx worker, concurrency $C_THR. wrk hammers one URL with $C_THR keep-alive connections for ${WRK_SECS}s: the ceiling of client + server on this machine (its \"URLs/s\" are requests/s)."
      echo
      table throughput "$N_THR" volley volley-t1 curl wget2 wrk
      echo
      ceiling_table throughput "$N_THR" volley volley-t1 curl wget2
      cmds throughput
      k=throughput/$N_THR
      peer_target throughput "$N_THR" curl 2.0
      peer_target throughput "$N_THR" wget2 1.4
      if have_v "$k"; then
        read -r -a v < <(summ throughput "$N_THR" volley)
        target throughput "≤ 13 µs CPU per URL" "${v[4]} µs" "$(le "${v[4]}" 13 && echo met || echo MISSED)"
        read -r -a x < <(summ_x throughput "$N_THR" volley)
        if [[ ${x[1]} == n/a ]]; then target throughput "≥ 85 % of the machine's ceiling" "—" "n/a (no /proc/stat)"
        else target throughput "≥ 85 % of the machine's ceiling" "${x[1]} %" "$(ge "${x[1]}" 85 && echo met || echo MISSED)"; fi
      else
        target throughput "≤ 13 µs CPU/URL, ≥ 85 % of the machine's ceiling" "—" "$(vmiss "$k")"
      fi
      t1_target throughput "$N_THR" "never below --threads 1 (URLs/s)" 1.0
      if [[ -n ${RATE[$k/volley-t1]:-} ]] && have_v "$k"; then
        read -r -a v < <(summ throughput "$N_THR" volley); read -r -a x < <(summ throughput "$N_THR" volley-t1)
        r=$(ratio "${v[4]}" "${x[4]}")
        target throughput "CPU per URL within 10 % of --threads 1" "${r}×" "$(le "$r" 1.10 && echo met || echo MISSED)"
      fi
      echo ;;
    scale)
      echo "## scale"
      echo
      echo "Peak RSS against list length (1 KiB URLs, concurrency $C_THR). The peers run at ${SCALE_N[0]} and ${SCALE_N[1]} URLs; ${SCALE_N[2]} URLs is volley only, one run."
      echo
      for n in "${SCALE_N[@]}"; do
        echo "### $(fmt_int "$n") URLs"
        echo
        table scale "$n" volley curl wget2
        echo
      done
      cmds scale
      a=${SCALE_N[0]} b=${SCALE_N[1]}
      if have_v "scale/$b" && have_v "scale/$a"; then
        read -r -a va < <(summ scale "$a" volley); read -r -a vb < <(summ scale "$b" volley)
        target scale "peak RSS ≤ 16 MB at $(fmt_int "$b") URLs" "${vb[5]} MB" "$(le "${vb[5]}" 16 && echo met || echo MISSED)"
        d=$(awk -v x="${vb[5]}" -v y="${va[5]}" 'BEGIN { printf "%+.1f", x - y }')
        target scale "RSS at $(fmt_int "$b") within 2 MB of $(fmt_int "$a")" "$d MB" "$(le "$d" 2 && echo met || echo MISSED)"
        c=${SCALE_N[2]}
        if have_v "scale/$c"; then
          read -r -a vc < <(summ scale "$c" volley)
          d=$(awk -v x="${vc[5]}" -v y="${va[5]}" 'BEGIN { printf "%+.1f", x - y }')
          target scale "(info) RSS at $(fmt_int "$c") vs $(fmt_int "$a")" "${vc[5]} MB ($d MB)" "—"
        fi
      else
        target scale "peak RSS ≤ 16 MB at $(fmt_int "$b") and within 2 MB of $(fmt_int "$a")" "—" "$(vmiss "scale/$b")"
      fi
      echo ;;
    latency)
      echo "## latency"
      echo
      if [[ -z $LAT_MODE ]]; then
        echo "Skipped: no 100 ms endpoint (install libnginx-mod-http-echo, or build build/volley-fixture)."
        target latency "≥ 97 % of ideal" "—" "n/a (no endpoint)"
        cmds latency; echo; continue
      fi
      ideal=$(awk -v n="$N_LAT" -v c="$C_LAT" 'BEGIN { printf "%.2f", int((n + c - 1) / c) * 0.1 }')
      echo "$N_LAT URLs answered after 100 ms ($LAT_MODE), concurrency $C_LAT. The ideal is ceil(N/C) × 100 ms = ${ideal} s; % of ideal = ideal ÷ wall time."
      echo
      table latency "$N_LAT" volley curl wget2
      echo
      echo "(curl \`--parallel\` without \`--parallel-immediate\` holds the other transfers until the first connection shows whether it can multiplex: on this endpoint that costs it about one 100 ms round.)"
      echo
      echo "| client | wall s (median) | % of ideal |"
      echo "|---|--:|--:|"
      for cl in "${CLIENTS[@]}"; do
        read -r -a x < <(summ latency "$N_LAT" "$cl")
        ((x[0] > 0)) || continue
        if ((x[1] > 0)); then echo "| $cl | FAILED | — |"; continue; fi
        w=$(awk -v n="$N_LAT" -v r="${x[3]}" 'BEGIN { printf "%.3f", n / r }')
        pct=$(awk -v i="$ideal" -v w="$w" 'BEGIN { printf "%.1f", i / w * 100 }')
        echo "| $cl | $w | $pct % |"
        [[ $cl == volley ]] && target latency "≥ 97 % of ideal (${ideal} s)" "$pct %" "$(ge "$pct" 97 && echo met || echo MISSED)"
      done
      have_v "latency/$N_LAT" || target latency "≥ 97 % of ideal" "—" "$(vmiss "latency/$N_LAT")"
      cmds latency
      echo ;;
    large)
      echo "## large"
      echo
      echo "$N_LARGE distinct URLs of a 100 KiB file, concurrency $C_LARGE; wrk on one URL is the ceiling."
      echo
      table large "$N_LARGE" volley curl wget2 wrk
      cmds large
      k=large/$N_LARGE
      if have_v "$k" && [[ -n ${RATE[$k/wget2]:-} ]]; then
        r=$(pratio large "$N_LARGE" volley wget2)
        target large "≥ 1.2× wget2 URLs/s" "${r}×" "$(verdict_ratio "$r" 1.2)"
      else target large "≥ 1.2× wget2 URLs/s" "—" "$(have_v "$k" && echo "n/a (wget2 failed)" || vmiss "$k")"; fi
      echo ;;
    h2)
      echo "## h2"
      echo
      echo "$N_H2 distinct URLs of 1 KiB over HTTPS with HTTP/2 (self-signed CA in bench/work/tls, verified by every client), concurrency $C_H2. \"conns opened\" is nginx's accepts delta: multiplexing should need only a handful."
      echo
      table h2 "$N_H2" volley curl wget2
      cmds h2
      k=h2/$N_H2
      if have_v "$k" && [[ -n ${RATE[$k/curl]:-} ]]; then
        read -r -a v < <(summ h2 "$N_H2" volley)
        r=$(pratio h2 "$N_H2" volley curl)
        target h2 "≥ 2× curl URLs/s" "${r}×" "$(verdict_ratio "$r" 2)"
        target h2 "at most a handful (≤ $HANDFUL) of connections" "${v[6]}" "$(le "${v[6]}" "$HANDFUL" && echo met || echo MISSED)"
      elif [[ $VOLLEY_STATE == present && $V_H2 != yes ]]; then
        target h2 "≥ 2× curl over ≤ $HANDFUL connections" "—" "n/a (not supported yet)"
      else target h2 "≥ 2× curl over ≤ $HANDFUL connections" "—" "$(have_v "$k" && echo "n/a (curl failed)" || vmiss "$k")"; fi
      echo ;;
    many-hosts)
      echo "## many-hosts"
      echo
      echo "$N_MH URLs spread round-robin over $MH_ORIGINS origins (127.0.0.1 ports $MH_PORT0–$((MH_PORT0 + MH_ORIGINS - 1)), same nginx worker), concurrency $C_MH; volley with \`--per-host $PER_HOST\`. volley-1origin is volley on $N_MH URLs of one origin at the same concurrency, in the same run: the baseline for the target."
      echo
      table many-hosts "$N_MH" volley volley-t1 volley-1origin curl wget2
      cmds many-hosts
      t1_target many-hosts "$N_MH" "≥ 1.3× --threads 1 (URLs/s)" 1.3
      k=many-hosts/$N_MH
      if [[ $VOLLEY_STATE == present && $V_PERHOST != yes ]]; then
        target many-hosts "≥ 90 % of volley's single-origin URLs/s" "—" "n/a (--per-host not supported yet)"
      elif have_v "$k" && [[ -n ${RATE[$k/volley-1origin]:-} ]]; then
        pct=$(awk -v r="$(pratio many-hosts "$N_MH" volley volley-1origin)" 'BEGIN { printf "%.1f", r * 100 }')
        target many-hosts "≥ 90 % of volley's single-origin URLs/s" "$pct %" "$(ge "$pct" 90 && echo met || echo MISSED)"
      else target many-hosts "≥ 90 % of volley's single-origin URLs/s" "—" "$(vmiss "$k")"; fi
      echo ;;
    tls-many)
      echo "## tls-many"
      echo
      echo "$N_TLS HTTPS URLs of 1 KiB spread round-robin over $MH_ORIGINS origins (127.0.0.1 ports $TLS_PORT0–$((TLS_PORT0 + MH_ORIGINS - 1))), nginx with $TLS_WORKERS workers, a full TLS handshake per URL (\`ssl_session_cache off\`, \`ssl_session_tickets off\`, \`keepalive_timeout 0\`), self-signed CA verified by every client, concurrency $C_TLS. Here the client's CPU is the limit: one loop saturates one core. volley-t1 is volley with \`--threads 1\` (run only when the binary has the option); its row's ratio is default threads ÷ one loop."
      echo
      table tls-many "$N_TLS" volley volley-t1 curl wget2
      echo
      handshake_table tls-many "$N_TLS" volley volley-t1 curl wget2
      cmds tls-many
      t1_target tls-many "$N_TLS" "default threads ≥ 1.3× --threads 1 (URLs/s)" 1.3
      peer_target tls-many "$N_TLS" wget2 1.0
      peer_target tls-many "$N_TLS" curl 1.4
      echo ;;
    esac
  done

  cat <<'EOF'
## How it is measured

- Ratios ("volley ÷ client", and the targets) are the median over repetitions of volley's rate divided by the peer's rate in the same repetition: the runs of one repetition are next to each other in time, so load that drifts on the machine affects both.
- Each client runs as `timeout … /usr/bin/time -f '%e %U %S %M' CLIENT …`: CPU µs/URL is the client's user+sys CPU divided by the URL count; peak RSS is its max RSS. URLs/s is the URL count over the wall time measured around the client.
- "conns opened" is the delta of nginx stub_status `accepts` across the run (the status request itself subtracted); "nginx CPU µs/URL" is the nginx worker's user+sys CPU from /proc across the run (10 ms ticks), which shows how much a client makes the server work (wakeups, small writes).
- Verification: volley's text records (`STATUS TIME BYTES URL`), curl's `-w '%{http_code} %{size_download}\n'` lines and wget2's `--stats-site=csv:` rows must number exactly N, each with status 200 and the exact body size, and the client must exit 0.
- Servers listen on 127.0.0.1 only; nginx runs with 1 worker and its config, pid, logs and temp files live in bench/work/nginx/.
EOF
  # the measured limits behind missed targets (full runs only)
  if ((!SMOKE)) && [[ -f $BENCH_DIR/LIMITS.md ]]; then
    echo
    sed '1s/^# /## /; 2,$s/^## /### /' "$BENCH_DIR/LIMITS.md"
  fi
} >"$OUT.tmp"

# Substitute the targets table in.
{
  if ((${#TARGETS[@]})); then
    echo "| scenario | target | measured | |"
    echo "|---|---|--:|---|"
    printf '%s\n' "${TARGETS[@]}"
  else
    echo "(no targets evaluated)"
  fi
} >"$WORK/targets.md"
awk -v f="$WORK/targets.md" '$0 == "@@TARGETS@@" { while ((getline l < f) > 0) print l; next } { print }' \
  "$OUT.tmp" >"$OUT"
rm -f "$OUT.tmp"
log "wrote ${OUT#"$ROOT"/}"
# A run that failed verification fails the suite (--smoke in CI included).
mapfile -t FAILED_RUNS < <(awk -F'\t' '$16 != "OK" {
  printf "%s %s %s rep %s: exit %s, %d/%d verified, %d records (bench/work/runs/%s-%s-%s-%s.err/.bad)\n",
    $1, $2, $3, $4, $15, $13, $5, $14, $1, $2, $3, $4 }' "$RUNS")
if ((${#FAILED_RUNS[@]})); then
  log "${#FAILED_RUNS[@]} run(s) FAILED verification:"
  printf '  %s\n' "${FAILED_RUNS[@]}" >&2
  exit 1
fi
exit 0
