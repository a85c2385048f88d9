#!/usr/bin/env bash
# deps.sh: install the Debian/Ubuntu packages volley needs that are missing.
# Usage: scripts/deps.sh [build|test|bench|links|fuzz|scaleout]   (default: test)
# links: the bench packages plus Node.js and npm for bench/links.sh (the npm
# checkers it compares come from the npm registry, which CI does not reach).
# fuzz: clang and its libFuzzer runtime, for -DVOLLEY_FUZZ=ON.
# scaleout: the job engines tests/scaleout runs for real (Slurm with munge,
# GNU parallel with sshd), plus nginx, jq and curl for those tests.
# Packages already present are left alone; services are not started.
# Exit status: 0 when everything needed is installed; 2 for a bad argument or
# no way to become root; otherwise apt-get's own status, after a message.
# DEPS_SBIN (default /usr/sbin) is where policy-rc.d and nginx are looked
# for; tests point it at a folder of their own.
set -euo pipefail

what=${1:-test}
sbin=${DEPS_SBIN:-/usr/sbin}
pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libevent-dev libcjson-dev libpcre2-dev libjq-dev libssl-dev
      libpsl-dev libmd4c-dev libxml2-dev)
case "$what" in
build) pkgs+=(curl) ;;
test) pkgs+=(curl libcmocka-dev bats jq openssl valgrind clang-format libxml2-utils perl zsh man-db bash-completion file) ;;
bench | links) pkgs+=(curl jq openssl wrk wget2 time iproute2 procps) ;;
fuzz) pkgs+=(clang libclang-rt-14-dev) ;; # libFuzzer targets: -DVOLLEY_FUZZ=ON
scaleout) pkgs+=(curl jq openssl procps slurmctld slurmd slurm-client munge parallel openssh-server) ;;
*) echo "usage: $0 [build|test|bench|links|fuzz|scaleout]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# nginx serves the TLS/HTTP/2 tests and the benchmarks; any flavour will do
if [ "$what" != build ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x "$sbin/nginx" ]; then
    missing+=(nginx)
fi
# the link-checker benchmark runs npm packages; any Node.js flavour will do
# (the machine's own may bundle npm, Debian's has it in its own package)
if [ "$what" = links ]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
    sudo=sudo
fi
echo "deps.sh: installing ${missing[*]}" >&2
# Keep package scripts from starting services (nginx would bind port 80).
# An existing policy-rc.d is left as it is; one made here is removed again.
policy=$sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
fi
# The trap's own status must never become the script's: an `if`, not `&&`.
cleanup() {
    if [ -n "$made_policy" ]; then
        $sudo rm -f "$policy"
    fi
}
trap cleanup EXIT

# apt-get's output goes to a log that is shown only when it fails.
log=$(mktemp)
apt_step() {
    local rc=0
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "deps.sh: '$*' failed with status $rc; its last lines:" >&2
        tail -n 20 "$log" | sed 's/^/  /' >&2
        rm -f "$log"
        exit "$rc"
    fi
}
export DEBIAN_FRONTEND=noninteractive
apt_step $sudo apt-get update -qq
apt_step $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
rm -f "$log"
exit 0
