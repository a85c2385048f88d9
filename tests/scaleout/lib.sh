# lib.sh: shared by the job-engine tests in tests/scaleout (sourced, not run).
# shellcheck shell=bash
# One temporary folder per test ($W); every process the test starts is
# registered with its PID (so_own) and ended by that PID in the EXIT trap; a
# guardian outside the test's process tree ends them too, and the test
# itself, if the test overruns its time (SO_MAX_SECONDS) or dies without
# cleaning up. Files outside $W are never written, with one exception each
# test names itself (so_touch_dir: made if missing, removed again).
#
# Needs: VOLLEY (the binary), and for so_fixture_start FIXTURE.

: "${VOLLEY:?VOLLEY must point at the volley binary}"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy

so_name=${0##*/}

so_log() { printf '%s: %s\n' "$so_name" "$*" >&2; }

# so_fail MSG [FILE...]: the test fails with MSG and the last lines of each
# FILE (an engine's own log, so its error is what the reader sees).
so_fail() {
    local msg=$1 f
    shift
    so_log "FAIL: $msg"
    for f in "$@"; do
        if [[ -s $f ]]; then
            printf -- '--- %s (last 40 lines)\n' "$f" >&2
            tail -n 40 "$f" >&2
        elif [[ -e $f ]]; then
            printf -- '--- %s is empty\n' "$f" >&2
        else
            printf -- '--- %s does not exist\n' "$f" >&2
        fi
    done
    exit 1
}

# so_check DESCRIPTION CMD...: CMD must succeed, else the test fails.
so_check() {
    local what=$1
    shift
    if "$@"; then
        so_log "ok: $what"
    else
        so_fail "$what"
    fi
}

# so_need CMD...: every CMD must be installed (scripts/deps.sh scaleout).
so_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 || [[ -x $c ]] ||
            so_fail "$c is not installed (scripts/deps.sh scaleout installs it)"
    done
}

# so_alive PID: PID runs and is not a zombie.
so_alive() {
    local st
    [[ $1 =~ ^[0-9]+$ ]] || return 1
    st=$(sed -n 's/^[0-9]* (.*) \([A-Za-z]\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
    [[ -n $st && $st != Z && $st != X ]]
}

# so_is PID NAME: PID runs and its command line contains NAME (so a reused
# PID is never signalled).
so_is() {
    local cmd
    so_alive "$1" || return 1
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
    [[ $cmd == *"$2"* ]]
}

# so_own PID NAME: the test started PID (NAME: part of its command line); it
# is ended in the clean-up, by the trap or by the guardian.
so_own() {
    [[ $1 =~ ^[0-9]+$ ]] || so_fail "so_own: not a PID: '$1' ($2)"
    printf '%s %s\n' "$1" "$2" >>"$W/.owned"
}

# so_stop PID NAME: TERM, then up to 5 s, then KILL; waits until it is gone.
so_stop() {
    local pid=$1 name=$2 i
    so_is "$pid" "$name" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 50; i++)); do
        so_is "$pid" "$name" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        so_is "$pid" "$name" || return 0
        sleep 0.1
    done
    so_log "could not stop $name (pid $pid)"
}

# so_wait_gone PID NAME [TENTHS]: wait (default 10 s) for PID to exit.
so_wait_gone() {
    local i
    for ((i = 0; i < ${3:-100}; i++)); do
        so_is "$1" "$2" || return 0
        sleep 0.1
    done
    return 1
}

# so_release: the test's own hook (so_cleanup_hook, e.g. an orderly engine
# shutdown) first, then every owned PID in reverse order, then the folders
# made outside $W. Tests call it before checking that nothing outside $W
# changed; the clean-up calls it again (then it has nothing left to do).
so_release() {
    local pid name d
    if declare -F so_cleanup_hook >/dev/null; then
        so_cleanup_hook || true
    fi
    if [[ -f $W/.owned ]]; then
        while read -r pid name; do
            so_stop "$pid" "$name"
        done < <(tac "$W/.owned")
        : >"$W/.owned"
    fi
    if [[ -f $W/.made ]]; then
        while read -r d; do
            rmdir "$d" 2>/dev/null || so_log "left $d in place: not empty"
        done < <(tac "$W/.made")
        : >"$W/.made"
    fi
}

# The clean-up, shared by the trap and the guardian: so_release, then $W.
so_cleanup_all() {
    so_release
    if [[ -n ${SO_KEEP:-} ]]; then
        so_log "kept $W (SO_KEEP)"
    else
        rm -rf "$W"
    fi
}

so_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    so_cleanup_all
    if [[ -n ${so_guard:-} ]] && so_is "$so_guard" "so-guardian"; then
        kill -TERM "$so_guard" 2>/dev/null || true
    fi
    so_log "done in $((SECONDS - so_t0)) s, status $rc"
    exit "$rc"
}

# so_touch_dir DIR [OWNER]: DIR must exist while the test runs (e.g. sshd's
# /run/sshd); made here when missing and removed again at the end.
so_touch_dir() {
    [[ -d $1 ]] && return 0
    mkdir -p "$1" || so_fail "cannot make $1"
    [[ -n ${2:-} ]] && chown "$2" "$1"
    printf '%s\n' "$1" >>"$W/.made"
}

# so_init MAX_SECONDS: the temp folder, the trap and the guardian. The
# guardian is a detached process watching the test's PID: when the test
# runs past MAX_SECONDS it stops the test's children and the test (whose
# trap then cleans up); if the test is gone and $W is still there, it does
# the clean-up itself.
so_init() {
    local max=${SO_MAX_SECONDS:-$1}
    so_t0=$SECONDS
    W=$(mktemp -d "${TMPDIR:-/tmp}/volley-${so_name%.sh}.XXXXXX")
    chmod 755 "$W"
    : >"$W/.owned"
    export W
    trap so_on_exit EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    local me=$$
    (
        exec -a so-guardian bash -c '
            me=$1 max=$2 lib=$3 W=$4
            exec </dev/null >/dev/null 2>>"$W/guardian.log"
            for ((i = 0; i < max; i++)); do
                [[ -d /proc/$me ]] || break
                sleep 1
            done
            if [[ -d /proc/$me ]]; then
                echo "guardian: the test ran past ${max}s; stopping it" >&2
                trap "" TERM # the guardian is one of the children signalled
                pkill -TERM -P "$me" 2>/dev/null
                kill -TERM "$me" 2>/dev/null
                for ((i = 0; i < 30; i++)); do
                    [[ -d /proc/$me ]] || break
                    sleep 1
                done
            fi
            if [[ -d $W ]]; then
                VOLLEY=x so_name=guardian
                source "$lib"
                so_cleanup_all
            fi' so-guardian "$me" "$max" "${BASH_SOURCE[0]}" "$W"
    ) &
    so_guard=$!
    disown "$so_guard" 2>/dev/null || true
}

# so_fixture_start ARGS...: the fixture server (tests/server/fixture.c) with
# --listen ARGS; sets FIX_PORTS (array, in --listen order) and FIX_PID.
so_fixture_start() {
    : "${FIXTURE:?FIXTURE must point at volley-fixture}"
    local a args=() i
    for a in "$@"; do args+=(--listen "$a"); done
    "$FIXTURE" --max-seconds "${SO_MAX_SECONDS:-600}" "${args[@]}" \
        >"$W/fixture.ports" 2>"$W/fixture.err" &
    FIX_PID=$!
    so_own "$FIX_PID" volley-fixture
    for ((i = 0; i < 200; i++)); do
        [[ $(wc -l <"$W/fixture.ports") -ge $# ]] && break
        so_alive "$FIX_PID" || break
        sleep 0.05
    done
    mapfile -t FIX_PORTS <"$W/fixture.ports"
    [[ ${#FIX_PORTS[@]} -eq $# ]] || so_fail "the fixture did not start" "$W/fixture.err"
}

# so_free_port: a TCP port nothing listens on now (best effort: the engine
# that binds it fails with its own error if it is taken meanwhile).
so_free_port() {
    local p hex
    while :; do
        p=$((20000 + RANDOM % 12000))
        printf -v hex '%04X' "$p"
        grep -q ":$hex 00000000:0000 0A\|:$hex 00000000000000000000000000000000:0000 0A" \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null || break
    done
    echo "$p"
}

# so_listeners PORT: the local addresses listening on TCP PORT, one a line
# (IPv4 dotted; IPv6 as the kernel's hex).
so_listeners() {
    local hex
    printf -v hex '%04X' "$1"
    awk -v port="$hex" '$4 == "0A" { split($2, a, ":"); if (a[2] == port) print a[1] }' \
        /proc/net/tcp /proc/net/tcp6 2>/dev/null |
        while read -r h; do
            if [[ ${#h} == 8 ]]; then
                printf '%d.%d.%d.%d\n' "0x${h:6:2}" "0x${h:4:2}" "0x${h:2:2}" "0x${h:0:2}"
            else
                echo "$h"
            fi
        done
}

# so_fnv1a64 STRING: the standard FNV-1a-64 of STRING's bytes, unsigned
# decimal (bash arithmetic wraps at 64 bits, as the hash wants).
so_fnv1a64() {
    local LC_ALL=C s=$1 i c h=-3750763034362895579 # 14695981039346656037
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        ((h = (h ^ (c & 255)) * 1099511628211))
    done
    printf '%u\n' "$h"
}

# so_shard_of STRING N: FNV-1a-64(STRING) mod N, + 1 (the contract's split),
# computed here independently of volley.
so_shard_of() {
    local LC_ALL=C s=$1 n=$2 i c h=-3750763034362895579
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        ((h = (h ^ (c & 255)) * 1099511628211))
    done
    # unsigned h mod n from a logical shift: h = 2*(h>>>1) + (h&1)
    echo $(((((((h >> 1) & 0x7FFFFFFFFFFFFFFF) % n) * 2 + (h & 1)) % n) + 1))
}

# so_selftest_fnv: the hash above against the contract's test vectors.
so_selftest_fnv() {
    [[ $(so_fnv1a64 a) == 12638187200555641996 ]] || so_fail "so_fnv1a64 a is $(so_fnv1a64 a)"
    [[ $(so_fnv1a64 example.com) == 6298361471204529350 ]] ||
        so_fail "so_fnv1a64 example.com is $(so_fnv1a64 example.com)"
    [[ $(so_shard_of example.com 4) == 3 ]] || so_fail "example.com is not in shard 3 of 4"
    # 12638187200555641996 mod 7 = 5 (its top bit is set: the unsigned path)
    [[ $(so_shard_of a 7) == 6 ]] || so_fail "a is not in shard 6 of 7"
}

# so_volley_has OPTION...: the volley under test has these options (the
# test fails, naming what is missing, instead of failing somewhere obscure).
so_volley_has() {
    local o help missing=()
    help=$("$VOLLEY" --help 2>&1) || true
    for o in "$@"; do
        grep -q -- "$o\b" <<<"$help" || missing+=("$o")
    done
    [[ ${#missing[@]} -eq 0 ]] || so_fail "$VOLLEY has no ${missing[*]} (issue 11)"
}

# so_snapshot PATH...: a listing of PATHs (or "absent"), to prove at the end
# that nothing outside $W changed.
so_snapshot() {
    local p
    for p in "$@"; do
        if [[ -e $p ]]; then
            printf '%s:\n' "$p"
            # shellcheck disable=SC2012 # a listing to compare, not to parse
            ls -la --time-style=+%s "$p" 2>&1 | sed '/ \.\.$/d'
        else
            printf '%s: absent\n' "$p"
        fi
    done
}

# so_records FILE...: every record of FILEs as one compact line
# "FILE<TAB>record", for jq -R checks.
so_records() {
    local f
    for f in "$@"; do
        sed "s|^|${f##*/}\t|" "$f"
    done
}
