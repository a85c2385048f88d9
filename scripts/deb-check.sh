#!/usr/bin/env bash
# deb-check.sh: build volley's .deb from a release build, install it with
# apt-get, check that the binary, the man page and both completions are where
# man, bash-completion and zsh look, and remove it again, also when a check
# fails (the EXIT trap). A volley already on the machine (a package or files
# under /usr) is left alone: the step is skipped, as it is without root or
# password-less sudo. Run by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
deb_files=(/usr/bin/volley /usr/share/man/man1/volley.1
    /usr/share/bash-completion/completions/volley /usr/share/zsh/vendor-completions/_volley)
deb_depends=(libc6 libcurl4 libevent-core-2.1-7 libcjson1 libjq1 libpcre2-8-0 libssl3)
deb_installed=""
deb_tmp=""
deb_cleanup() {
    if [ -n "$deb_installed" ]; then
        deb_installed=""
        if ! $deb_sudo dpkg --purge volley >/dev/null; then
            echo "deb-check.sh: could not remove the volley package; run: dpkg --purge volley" >&2
        fi
    fi
    if [ -n "$deb_tmp" ]; then
        rm -rf "$deb_tmp"
    fi
}
deb_step() {
    deb_sudo=""
    if [ "$(id -u)" != 0 ]; then
        if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
            echo "   skipped: installing a .deb needs root or password-less sudo"
            return 0
        fi
        deb_sudo=sudo
    fi
    local state f
    state=$(dpkg-query -W -f='${db:Status-Status}' volley 2>/dev/null || true)
    if [ -n "$state" ] && [ "$state" != not-installed ]; then
        echo "   skipped: a volley package is already on this machine ($state); it is left alone"
        return 0
    fi
    for f in "${deb_files[@]}"; do
        if [ -e "$f" ]; then
            echo "   skipped: $f already exists (not from a volley package); it is left alone"
            return 0
        fi
    done

    cmake -S . -B build-deb -DCMAKE_BUILD_TYPE=Release -DVOLLEY_WERROR=ON -DVOLLEY_TESTS=OFF >/dev/null
    cmake --build build-deb -j"$jobs" >/dev/null
    rm -f build-deb/volley_*.deb
    local deb log=build-deb/cpack.log
    (cd build-deb && cpack -G DEB) >"$log" 2>&1 ||
        { echo "cpack -G DEB failed:" >&2; sed 's/^/  /' "$log" >&2; exit 1; }
    deb=$(echo "$PWD"/build-deb/volley_*.deb)
    [ -f "$deb" ] || { echo "cpack wrote no volley_*.deb" >&2; exit 1; }

    # The control file: the version is the binary's, the architecture
    # dpkg's, and Depends (from dpkg-shlibdeps) names every library.
    local version depends d found
    version=$(build-deb/volley --version | sed -n 1p)
    [ "volley $(dpkg-deb -f "$deb" Version)" = "$version" ] ||
        { echo "package version $(dpkg-deb -f "$deb" Version) is not the binary's ($version)" >&2; exit 1; }
    [ "$(dpkg-deb -f "$deb" Architecture)" = "$(dpkg --print-architecture)" ] ||
        { echo "package architecture: $(dpkg-deb -f "$deb" Architecture)" >&2; exit 1; }
    depends=$(dpkg-deb -f "$deb" Depends)
    for d in "${deb_depends[@]}"; do
        grep -qE "(^|, )$d( |,|$)" <<<"$depends" ||
            { echo "Depends lacks $d: $depends" >&2; exit 1; }
    done

    deb_tmp=$(mktemp -d)
    trap deb_cleanup EXIT
    deb_installed=1
    if ! $deb_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$deb" \
        >"$deb_tmp/apt.log" 2>&1; then
        echo "apt-get install $deb failed; its last lines:" >&2
        tail -n 20 "$deb_tmp/apt.log" | sed 's/^/  /' >&2
        exit 1
    fi
    local listed
    listed=$(dpkg -L volley)
    for f in "${deb_files[@]}"; do
        grep -qx -- "$f" <<<"$listed" || { echo "dpkg -L volley does not list $f" >&2; exit 1; }
        [ -f "$f" ] || { echo "not installed: $f" >&2; exit 1; }
    done
    found=$(/usr/bin/volley --version | sed -n 1p)
    [ "$found" = "$version" ] || { echo "/usr/bin/volley --version: $found" >&2; exit 1; }
    # man, bash-completion and zsh look for them as for any package under /usr
    # (PATH, XDG_DATA_DIRS and HOME set so that a user's own files do not count).
    found=$(PATH=/usr/bin:/bin man -w volley 2>&1) || true
    [ "$found" = /usr/share/man/man1/volley.1 ] || { echo "man -w volley: $found" >&2; exit 1; }
    found=$(env -i PATH=/usr/bin:/bin HOME="$deb_tmp" XDG_DATA_DIRS=/usr/share bash --norc --noprofile -c '
        source /usr/share/bash-completion/bash_completion
        __load_completion volley && complete -p volley && shopt -s extdebug && declare -F _volley' 2>&1) || true
    if ! grep -qx -- 'complete -F _volley volley' <<<"$found" ||
        ! grep -q ' /usr/share/bash-completion/completions/volley$' <<<"$found"; then
        echo "bash-completion does not load volley's completion: $found" >&2
        exit 1
    fi
    # shellcheck disable=SC2016 # expanded by zsh
    found=$(env -i PATH=/usr/bin:/bin HOME="$deb_tmp" zsh -f -c '
        print -l -- $^fpath/_volley(N)
        autoload -Uz compinit && compinit -u -D && print -r -- "comps: ${_comps[volley]}"' 2>&1) || true
    if ! grep -qx -- /usr/share/zsh/vendor-completions/_volley <<<"$found" ||
        ! grep -qx -- 'comps: _volley' <<<"$found"; then
        echo "zsh does not find _volley: $found" >&2
        exit 1
    fi

    deb_cleanup
    trap - EXIT
    ! dpkg-query -W volley >/dev/null 2>&1 || { echo "dpkg still knows volley after --purge" >&2; exit 1; }
    for f in "${deb_files[@]}"; do
        [ ! -e "$f" ] || { echo "still there after removing the package: $f" >&2; exit 1; }
    done
    echo "   $(basename "$deb"): installed, checked and removed"
}
deb_step
