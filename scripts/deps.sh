#!/usr/bin/env bash
# deps.sh: install the Debian/Ubuntu packages volley needs that are missing.
# Usage: scripts/deps.sh [build|test|bench]   (default: test)
# Packages already present are left alone; services are not started.
set -euo pipefail

what=${1:-test}
pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libevent-dev libcjson-dev libpcre2-dev libjq-dev libssl-dev)
case "$what" in
build) pkgs+=(curl) ;;
test) pkgs+=(curl libcmocka-dev bats jq openssl valgrind clang-format libxml2-utils perl zsh) ;;
bench) pkgs+=(curl jq openssl wrk wget2 time) ;;
*) echo "usage: $0 [build|test|bench]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# nginx serves the TLS/HTTP/2 tests and the benchmarks; any flavour will do
if [ "$what" != build ] && ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    missing+=(nginx)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 2; }
    sudo=sudo
fi
echo "deps.sh: installing ${missing[*]}" >&2
# Keep package scripts from starting services (nginx would bind port 80).
policy=/usr/sbin/policy-rc.d
made_policy=""
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    made_policy=1
fi
cleanup() { [ -n "$made_policy" ] && $sudo rm -f "$policy"; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
