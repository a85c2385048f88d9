# shellcheck shell=bash
# Shared helpers for bench/run.sh and bench/callgrind.sh (sourced, not run).
# Everything lives in $WORK (bench/work/, git-ignored); servers bind to
# 127.0.0.1 only and are stopped by the PID they wrote.

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
ROOT=$(cd "$BENCH_DIR/.." && pwd)
WORK=${BENCH_WORK:-$BENCH_DIR/work}

MH_ORIGINS=64
set_ports() {
  PORT_BASE=$1
  HTTP_PORT=$PORT_BASE                 # plain HTTP/1.1: /1k /100k /delay
  STATUS_PORT=$((PORT_BASE + 1))       # stub_status only (not counted by clients)
  HTTPS_PORT=$((PORT_BASE + 2))        # TLS + HTTP/2
  MH_PORT0=$((PORT_BASE + 100))        # many-hosts: MH_PORT0 .. MH_PORT0+MH_ORIGINS-1
  TLS_PORT0=$((PORT_BASE + 200))       # tls-many: TLS_PORT0 .. TLS_PORT0+MH_ORIGINS-1
}
set_ports "${BENCH_PORT_BASE:-23080}"
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so

NGINX_PID_FILE=$WORK/nginx/nginx.pid
NGINX_WORKERS=1          # start_nginx WORKERS changes it
HAVE_ECHO=0
FIXTURE_PID=

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- dependencies -----------------------------------------------------------

# ensure_deps CMD:PACKAGE ...  installs the packages whose command is missing
# (apt-get, only as root and only when something is missing).
ensure_deps() {
  local missing=() spec cmd pkg
  for spec in "$@"; do
    cmd=${spec%%:*}; pkg=${spec#*:}
    if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue
    else command -v "$cmd" >/dev/null 2>&1 && continue; fi
    missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing packages: ${missing[*]} (run as root on Debian to install them)"
  fi
  log "installing: ${missing[*]}"
  # Keep Debian's postinst from starting a system nginx on port 80.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && made_policy=1
  fi
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
      || { apt-get update && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y --no-install-recommends "${missing[@]}"; }; } >&2 || rc=$?
  ((made_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed"
}

# --- volley binary -----------------------------------------------------------

find_volley() {  # $1 = --volley override (may be empty); prints path or nothing
  if [[ -n ${1:-} ]]; then
    [[ -x $1 && -f $1 ]] || die "--volley $1 is not an executable file"
    readlink -f "$1"
    return 0
  fi
  local p
  for p in "$ROOT/build-release/volley" "$ROOT/build/volley"; do
    [[ -x $p ]] && { echo "$p"; return; }
  done
  return 0
}

# --- files, TLS -------------------------------------------------------------

make_docroot() {
  mkdir -p "$WORK/www"
  [[ -s $WORK/www/1k ]] || head -c 1024 /dev/urandom >"$WORK/www/1k"
  [[ -s $WORK/www/100k ]] || head -c 102400 /dev/urandom >"$WORK/www/100k"
  chmod 755 "$WORK" "$WORK/www"; chmod 644 "$WORK/www/1k" "$WORK/www/100k"
}

make_tls() {
  local d=$WORK/tls
  mkdir -p "$d"
  [[ -s $d/server.pem && -s $d/ca.pem ]] && return 0
  log "generating a self-signed CA and a server certificate for 127.0.0.1"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$d/ca.key" -out "$d/ca.pem" -days 365 -subj "/CN=volley bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=127.0.0.1" 2>/dev/null
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$d/server.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
    -CAcreateserial -out "$d/server.pem" -days 365 -extfile "$d/server.ext" 2>/dev/null
  chmod 644 "$d"/*.pem; chmod 600 "$d"/*.key
}

# --- nginx -------------------------------------------------------------------

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# bench_ports: every port the bench nginx listens on, one per line
bench_ports() {
  local p
  for ((p = PORT_BASE; p <= PORT_BASE + 2; p++)); do echo "$p"; done
  for ((p = 0; p < MH_ORIGINS; p++)); do echo $((MH_PORT0 + p)); echo $((TLS_PORT0 + p)); done
}

# busy_bench_port: prints the first bench port already listened on, if any
busy_bench_port() {
  ss -Hltn 2>/dev/null | awk '{ n = split($4, a, ":"); print a[n] }' |
    awk 'NR == FNR { busy[$1] = 1; next } ($1 in busy) { print; exit }' - <(bench_ports)
}

# listen_lines PORT0 COUNT [PARAMS]   one "listen" line per port
listen_lines() {
  local p
  for ((p = $1; p < $1 + $2; p++)); do
    printf '    listen 127.0.0.1:%d%s backlog=4096;\n' "$p" "${3:+ $3}"
  done
}

# the links benchmark's good links (/gone/... is a 404: no such file)
LINK_LOCATION='    location /link/ { return 200 "ok\n"; }'

write_nginx_conf() {
  local n=$WORK/nginx user=""
  mkdir -p "$n/tmp"
  # As root the workers would run as "nobody", who cannot read a checkout in
  # a 0700 folder (mktemp -d): keep them as root.  Ignored when not root.
  [[ $(id -u) -eq 0 ]] && user="user root root;"
  {
    ((HAVE_ECHO)) && echo "load_module $ECHO_MODULE;"
    cat <<EOF
# generated by bench/lib.sh - do not edit
$user
worker_processes $NGINX_WORKERS;
worker_rlimit_nofile 65536;
pid $NGINX_PID_FILE;
error_log $n/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path $n/tmp/body;
  proxy_temp_path $n/tmp/proxy;
  fastcgi_temp_path $n/tmp/fastcgi;
  uwsgi_temp_path $n/tmp/uwsgi;
  scgi_temp_path $n/tmp/scgi;
  default_type application/octet-stream;
  server_tokens off;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=16 inactive=600s;
  open_file_cache_valid 600s;
  keepalive_requests 100000000;   # also the HTTP/2 per-connection stream limit
  keepalive_timeout 120s;
  http2_max_concurrent_streams 256;

  server {                        # plain HTTP/1.1
    listen 127.0.0.1:$HTTP_PORT backlog=4096;
    root $WORK/www;
    location / { }
$LINK_LOCATION
EOF
    if ((HAVE_ECHO)); then
      # shellcheck disable=SC2028
      echo '    location /delay { echo_sleep 0.1; echo ok; }   # 200 "ok\n" after 100 ms'
    fi
    cat <<EOF
  }
  server {                        # HTTPS, HTTP/2 by ALPN
    listen 127.0.0.1:$HTTPS_PORT ssl http2 backlog=4096;
    ssl_certificate $WORK/tls/server.pem;
    ssl_certificate_key $WORK/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:BENCHSSL:1m;
    root $WORK/www;
    location / { }
  }
  server {                        # many-hosts: $MH_ORIGINS origins, one per port
$(listen_lines "$MH_PORT0" "$MH_ORIGINS")
    root $WORK/www;
    location / { }
$LINK_LOCATION
  }
  server {                        # tls-many: $MH_ORIGINS TLS origins, a full handshake per URL
$(listen_lines "$TLS_PORT0" "$MH_ORIGINS" ssl)
    ssl_certificate $WORK/tls/server.pem;
    ssl_certificate_key $WORK/tls/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    ssl_session_tickets off;
    keepalive_timeout 0;
    root $WORK/www;
    location / { }
  }
  server {                        # counters (its own requests are subtracted)
    listen 127.0.0.1:$STATUS_PORT;
    location = /status { stub_status; }
  }
}
EOF
  } >"$n/nginx.conf"
}

nginx_pid() { [[ -s $NGINX_PID_FILE ]] && cat "$NGINX_PID_FILE"; }

# start_nginx [WORKERS]   (default 1)
start_nginx() {
  NGINX_WORKERS=${1:-1}
  nginx -V 2>&1 | grep -q http_stub_status_module || die "nginx lacks stub_status"
  HAVE_ECHO=0
  if [[ -e $ECHO_MODULE ]]; then HAVE_ECHO=1; fi
  if [[ -s $NGINX_PID_FILE ]] && kill -0 "$(cat "$NGINX_PID_FILE")" 2>/dev/null; then
    die "an nginx from an earlier bench run is still running (pid $(cat "$NGINX_PID_FILE")); stop it first"
  fi
  # Find a free set of ports (BENCH_PORT_BASE pins the base).
  local base busy=""
  for base in ${BENCH_PORT_BASE:-23080 24080 25080 26080 27080 28080 29080}; do
    set_ports "$base"
    busy=$(busy_bench_port)
    [[ -z $busy ]] && break
    log "port $busy is in use; trying another base"
  done
  [[ -z $busy ]] || die "no free port base (set BENCH_PORT_BASE)"
  make_docroot
  make_tls
  write_nginx_conf
  nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
    || die "nginx config test failed (see $WORK/nginx/error.log)"
  nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/error.log" \
    || die "nginx failed to start (see $WORK/nginx/error.log)"
  local i
  for ((i = 0; i < 50; i++)); do
    curl -q -sf -o /dev/null "http://127.0.0.1:$STATUS_PORT/status" && break
    sleep 0.1
  done
  read_status >/dev/null || die "nginx did not come up"
  log "nginx pid $(nginx_pid), $NGINX_WORKERS worker(s), on 127.0.0.1:$HTTP_PORT (http)" \
      ":$HTTPS_PORT (https/h2) :$MH_PORT0-$((MH_PORT0 + MH_ORIGINS - 1)) (many-hosts)" \
      ":$TLS_PORT0-$((TLS_PORT0 + MH_ORIGINS - 1)) (tls-many) :$STATUS_PORT (status)"
}

stop_nginx() {
  local pid
  pid=$(nginx_pid 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$NGINX_PID_FILE"
}

# restart_nginx WORKERS   (the same ports when they are still free)
restart_nginx() {
  local base=$PORT_BASE
  stop_nginx
  BENCH_PORT_BASE=$base start_nginx "$1"
}

nginx_worker_pids() { pgrep -P "$(nginx_pid)" || true; }   # one per line

# read_status -> "ACCEPTS REQUESTS" (each counts this status request too)
read_status() {
  curl -q -sf --max-time 5 "http://127.0.0.1:$STATUS_PORT/status" |
    awk 'NR == 3 { print $1, $3; ok = 1 } END { exit !ok }'
}

# proc_ticks PID...  CPU ticks (user+sys) of these processes from /proc, summed
proc_ticks() {
  local p t=0
  for p in "$@"; do
    [[ -r /proc/$p/stat ]] || continue
    t=$((t + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}

# busy_ticks: the machine's busy CPU ticks (all CPUs: user, nice, system,
# irq, softirq, steal; not idle or iowait) from /proc/stat
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }

# --- what the server and the machine did during a run ---------------------------

# server_counters -> "ACCEPTS REQUESTS NGINX_TICKS": nginx stub_status
# (which counts its own request) and the CPU ticks of the nginx workers in
# WPIDS
WPIDS=()
server_counters() {
  local st
  st=$(read_status || echo "0 0")
  echo "$st $(proc_ticks "${WPIDS[@]}")"
}

# NGINX_SERVES=0 when another server answers the clients
NGINX_SERVES=1
# measure_start ... measure_end  around one client run:
#   DELTA="ACCEPTS REQUESTS NGINX_TICKS BUSY_TICKS" over the run (-1 for the
#   server's counts when another server answered; BUSY from /proc/stat) and
#   WALL, the seconds between the two busy samples (taken next to the run,
#   so that busy CPU ÷ WALL is the machine's load during it)
measure_start() {
  mapfile -t WPIDS < <(nginx_worker_pids)
  C0=$(server_counters)
  B0=$(busy_ticks)
  T0=$EPOCHREALTIME
}
# shellcheck disable=SC2034  # DELTA and WALL are read by the scripts that source this
measure_end() {
  local t1=$EPOCHREALTIME b1 c1
  b1=$(busy_ticks)
  c1=$(server_counters)
  WALL=$(awk -v a="$T0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
  DELTA=$(awk -v a="$C0" -v b="$c1" -v b0="$B0" -v b1="$b1" -v srv="$NGINX_SERVES" 'BEGIN {
    split(a, x); split(b, y)
    ok = srv && x[1] > 0 && y[1] > 0
    printf "%d %d %d %d\n", ok ? y[1] - x[1] - 1 : -1, ok ? y[2] - x[2] - 1 : -1,
      srv ? y[3] - x[3] : 0, b1 - b0 }')
}

# --- timed client runs ---------------------------------------------------------

CHILD_PID=""
# shellcheck disable=SC2034  # TIMED_RC is read by the scripts that source this
# timed SECONDS TIMEFILE OUT ERR CMD...  runs CMD under timeout and
# /usr/bin/time as CHILD_PID (so cleanup and the watchdog can end it);
# sets TIMED_RC to its exit status.
# shellcheck disable=SC2034  # TIMED_RC is read by the scripts that source this
timed() {
  local to=$1 tf=$2 out=$3 err=$4
  shift 4
  TIMED_RC=0
  rm -f "$tf"
  timeout -k 5 "$to" /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$out" 2>"$err" </dev/null &
  CHILD_PID=$!
  echo "$CHILD_PID" >"$WORK/child.pid"
  wait "$CHILD_PID" || TIMED_RC=$?
  CHILD_PID=""
  rm -f "$WORK/child.pid"
}

# time_fields TIMEFILE -> "WALL USER SYS MAXRSS_KB" (zeros when unreadable)
time_fields() {
  local w u s m
  read -r w u s m < <(tail -1 "$1" 2>/dev/null || true)
  if [[ ${u:-} =~ ^[0-9.]+$ && ${s:-} =~ ^[0-9.]+$ && ${m:-} =~ ^[0-9]+$ ]]; then
    echo "$w $u $s $m"
  else echo "0 0 0 0"; fi
}

# kill_child: end the running timed client, if any
kill_child() {
  [[ -n $CHILD_PID ]] || return 0
  kill -TERM "$CHILD_PID" 2>/dev/null || true
  wait "$CHILD_PID" 2>/dev/null || true
  CHILD_PID=""
}

# --- clean-up and watchdog -------------------------------------------------------

GUARD_PID=""
# bench_guard MAX_SECONDS  installs the EXIT/INT/TERM traps (they end the
# timed client, the fixture and nginx, then call bench_cleanup_hook when the
# script defines one) and starts a watchdog that stops the run after
# MAX_SECONDS (TERM, then KILL 20 s later; WORK/watchdog-fired marks it)
# and stops nginx by its pid file if the script dies without cleaning up.
bench_guard() {
  local max=$1 main=$$
  trap bench_cleanup EXIT
  trap 'log "interrupted"; exit 130' INT
  trap 'log "terminated"; exit 143' TERM
  rm -f "$WORK/watchdog-fired"
  (
    set +e
    trap 'exit 0' TERM
    end=$((SECONDS + max)) fired=0
    while kill -0 "$main" 2>/dev/null; do
      if ((SECONDS >= end && !fired)); then
        fired=1 end=$((SECONDS + 20))
        log "watchdog: over ${max}s, stopping the run"
        touch "$WORK/watchdog-fired"
        kill -TERM "$main" 2>/dev/null
      elif ((fired && SECONDS >= end)); then
        c=$(cat "$WORK/child.pid" 2>/dev/null || true)
        [[ -n $c ]] && kill -KILL "$c" 2>/dev/null
        kill -KILL "$main" 2>/dev/null
      fi
      sleep 1
    done
    stop_nginx
  ) </dev/null &
  GUARD_PID=$!
}

bench_cleanup() {
  local rc=$?
  set +e   # clean up everything, whatever fails
  trap - EXIT INT TERM
  kill_child
  declare -F bench_cleanup_hook >/dev/null && bench_cleanup_hook
  stop_fixture
  stop_nginx
  [[ -n $GUARD_PID ]] && kill -TERM "$GUARD_PID" 2>/dev/null
  exit "$rc"
}

# watchdog_fired: exits 143 when the watchdog has stopped the run
watchdog_fired() { [[ -e $WORK/watchdog-fired ]] && exit 143; return 0; }

# --- fixture server (fallback for the 100 ms endpoint) -------------------------

# start_fixture SECONDS -> sets FIXTURE_PORT; returns 1 if there is no fixture
start_fixture() {
  local fx="" p
  for p in "$ROOT/build-release/volley-fixture" "$ROOT/build/volley-fixture"; do
    [[ -x $p ]] && { fx=$p; break; }
  done
  [[ -n $fx ]] || return 1
  mkdir -p "$WORK/fixture"
  : >"$WORK/fixture/out"
  "$fx" --max-seconds "$1" >"$WORK/fixture/out" 2>"$WORK/fixture/err" &
  FIXTURE_PID=$!
  local i
  for ((i = 0; i < 50; i++)); do
    FIXTURE_PORT=$(head -1 "$WORK/fixture/out" | tr -dc 0-9)
    [[ -n $FIXTURE_PORT ]] && return 0
    kill -0 "$FIXTURE_PID" 2>/dev/null || break
    sleep 0.1
  done
  stop_fixture
  return 1
}

stop_fixture() {
  [[ -n ${FIXTURE_PID:-} ]] || return 0
  kill -TERM "$FIXTURE_PID" 2>/dev/null || true
  wait "$FIXTURE_PID" 2>/dev/null || true
  FIXTURE_PID=
}

# --- URL lists ---------------------------------------------------------------

# gen_urls FILE N BASEURL           one URL per line: BASEURL?i=1..N
gen_urls() {
  awk -v n="$2" -v u="$3" 'BEGIN { for (i = 1; i <= n; i++) printf "%s?i=%d\n", u, i }' >"$1"
}

# gen_urls_origins FILE N SCHEME PORT0 PATH
#   URL i is SCHEME://127.0.0.1:(PORT0 + i mod MH_ORIGINS)PATH?i=i
gen_urls_origins() {
  awk -v n="$2" -v sch="$3" -v p0="$4" -v k="$MH_ORIGINS" -v path="$5" 'BEGIN {
    for (i = 1; i <= n; i++) printf "%s://127.0.0.1:%d%s?i=%d\n", sch, p0 + i % k, path, i }' >"$1"
}

# curl_config URLFILE CFGFILE        url/output pairs for curl -K
curl_config() {
  awk '{ printf "url = \"%s\"\noutput = \"/dev/null\"\n", $0 }' "$1" >"$2"
}
