# helpers.bash: shared set-up for the bats files: the fixture server (one per
# file, on 127.0.0.1 port 0, stopped by PID), a wrapper that runs volley, and
# small jq/stat helpers.

: "${VOLLEY:?VOLLEY must point at the volley binary}"
: "${FIXTURE:?FIXTURE must point at volley-fixture}"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy NO_COLOR

# VOLLEY_THREADS=N runs the whole suite over N event loops: every run of
# volley, through v, vexec or "$VOLLEY" itself, gets --threads N first (a
# later --threads in a test wins). VOLLEY becomes a wrapper that execs the
# binary, so $! is still volley's PID; ctest's e2e_threads4_* entries do
# this with N = 4.
if [ -n "${VOLLEY_THREADS:-}" ] && [ -z "${VOLLEY_UNWRAPPED:-}" ]; then
    export VOLLEY_UNWRAPPED=$VOLLEY
    VOLLEY="${BATS_RUN_TMPDIR:?}/volley-threads-$VOLLEY_THREADS"
    if [ ! -x "$VOLLEY" ]; then
        printf '#!/bin/sh\nexec "%s" --threads %s "$@"\n' "$VOLLEY_UNWRAPPED" "$VOLLEY_THREADS" \
            >"$VOLLEY.$$" && chmod +x "$VOLLEY.$$" && mv -f "$VOLLEY.$$" "$VOLLEY"
    fi
    export VOLLEY
fi

# Start the fixture server with three listeners: PORT (127.0.0.1), PORT2
# (127.0.0.2, a second origin) and SILENT_PORT (127.0.0.1: accepts, never
# answers). Sets FIX_PID and BASE too.
fixture_start() {
    local out="$BATS_FILE_TMPDIR/fixture.out" i
    "$FIXTURE" --max-seconds 600 --listen 127.0.0.1 --listen 127.0.0.2 --listen-silent 127.0.0.1 \
        >"$out" 2>"$BATS_FILE_TMPDIR/fixture.err" &
    FIX_PID=$!
    for i in $(seq 1 200); do
        [ -s "$out" ] && [ "$(wc -l <"$out")" -ge 3 ] && break
        sleep 0.05
    done
    PORT=$(sed -n 1p "$out")
    PORT2=$(sed -n 2p "$out")
    SILENT_PORT=$(sed -n 3p "$out")
    [ -n "$SILENT_PORT" ] || { echo "fixture did not start" >&2; return 1; }
    BASE="http://127.0.0.1:$PORT"
    export FIX_PID PORT PORT2 SILENT_PORT BASE
}

fixture_stop() {
    [ -n "${FIX_PID:-}" ] && kill "$FIX_PID" 2>/dev/null && wait "$FIX_PID" 2>/dev/null
    return 0
}

# stats [FIELD]: the fixture's counters (whole object, or one field)
stats() {
    local s
    s=$(curl -s --max-time 5 "$BASE/stats")
    if [ -n "${1:-}" ]; then jq -r ".$1" <<<"$s"; else echo "$s"; fi
}

stats_reset() {
    curl -s --max-time 5 "$BASE/stats/reset" >/dev/null
}

# inflight_is N: the fixture has exactly N requests open
inflight_is() {
    [ "$(stats inflight)" = "$1" ]
}

# wait_for CMD...: retry CMD (a condition, not a delay) for up to 20 s
wait_for() {
    local i
    for i in $(seq 1 400); do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}

# v ARGS...: run volley (under $VOLLEY_WRAPPER when set, e.g. valgrind)
v() {
    # shellcheck disable=SC2086
    ${VOLLEY_WRAPPER:-} "$VOLLEY" "$@"
}

# vexec ARGS...: replace the current (sub)shell with volley; for background
# runs whose $! must be volley's own PID: ( vexec ... ) &
vexec() {
    # shellcheck disable=SC2086
    exec ${VOLLEY_WRAPPER:-} "$VOLLEY" "$@"
}

# Lines of a file as a count
lines() { wc -l <"$1" | tr -d ' '; }
