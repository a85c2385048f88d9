#!/usr/bin/env bats
# deps.bats: scripts/deps.sh against stand-in dpkg, apt-get and id commands
# on PATH, so the install path of a fresh machine is tested on any machine:
# nothing missing; packages missing with and without an existing
# policy-rc.d; apt-get failing. Nothing outside the test's folder is touched.

setup() {
    DEPS="$BATS_TEST_DIRNAME/../../scripts/deps.sh"
    stub="$BATS_TEST_TMPDIR/bin"
    SBIN="$BATS_TEST_TMPDIR/sbin"
    LOG="$BATS_TEST_TMPDIR/apt.log"
    mkdir -p "$stub" "$SBIN"
    # dpkg -s PKG: installed unless PKG is listed in $STUB_MISSING
    cat >"$stub/dpkg" <<'EOF'
#!/bin/sh
[ "$1" = -s ] || exit 2
for p in $STUB_MISSING; do [ "$p" = "$2" ] && exit 1; done
exit 0
EOF
    # apt-get: logs its arguments and whether policy-rc.d is in place;
    # fails with $STUB_APT_FAIL when the subcommand is $STUB_APT_FAIL_ON
    cat >"$stub/apt-get" <<'EOF'
#!/bin/sh
sub=""
for a in "$@"; do case "$a" in -*) ;; *) sub=$a; break ;; esac; done
policy=absent
[ -x "$DEPS_SBIN/policy-rc.d" ] && policy=$("$DEPS_SBIN/policy-rc.d"; echo $?)
echo "$sub policy=$policy args=$*" >>"$STUB_LOG"
if [ -n "${STUB_APT_FAIL:-}" ] && [ "$sub" = "${STUB_APT_FAIL_ON:-install}" ]; then
    echo "E: Unable to locate package $*" >&2
    exit "$STUB_APT_FAIL"
fi
exit 0
EOF
    printf '#!/bin/sh\necho 0\n' >"$stub/id" # as root: no sudo
    printf '#!/bin/sh\nexit 0\n' >"$SBIN/nginx"
    chmod +x "$stub"/* "$SBIN/nginx"
    export PATH="$stub:$PATH" DEPS_SBIN="$SBIN" STUB_LOG="$LOG"
    export STUB_MISSING="" STUB_APT_FAIL="" STUB_APT_FAIL_ON=install
    # the real nginx must not satisfy the check: only $SBIN/nginx counts
    if command -v nginx >/dev/null 2>&1; then
        PATH=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do
            [ -x "$d/nginx" ] || printf '%s:' "$d"
        done)
        export PATH="${PATH%:}"
    fi
}

@test "nothing missing: exit 0, apt-get never runs" {
    run "$DEPS" test
    [ "$status" -eq 0 ]
    [ ! -e "$LOG" ]
    [ -z "$output" ]
}

@test "packages missing, no policy-rc.d: installed with services blocked, policy removed, exit 0" {
    STUB_MISSING="jq libcmocka-dev" run "$DEPS" test
    [ "$status" -eq 0 ]
    [[ "$output" == *"installing libcmocka-dev jq"* ]]
    grep -q '^update policy=101 ' "$LOG"
    grep -q '^install policy=101 args=install -y -qq --no-install-recommends libcmocka-dev jq$' "$LOG"
    [ ! -e "$SBIN/policy-rc.d" ]
}

@test "packages missing, policy-rc.d already there: exit 0 and the file is left as it was" {
    printf '#!/bin/sh\nexit 101\n# kept\n' >"$SBIN/policy-rc.d"
    chmod 755 "$SBIN/policy-rc.d"
    before=$(cat "$SBIN/policy-rc.d")
    STUB_MISSING="zsh" run "$DEPS" test
    [ "$status" -eq 0 ]
    grep -q '^install policy=101 args=.* zsh$' "$LOG"
    [ "$(cat "$SBIN/policy-rc.d")" = "$before" ]
}

@test "nginx missing is installed too (any flavour counts as present)" {
    rm "$SBIN/nginx"
    run "$DEPS" test
    [ "$status" -eq 0 ]
    grep -q '^install .* nginx$' "$LOG"
    run "$DEPS" build # the build needs no nginx
    [ "$status" -eq 0 ]
}

@test "apt-get install failing: a clear message, its status, no policy-rc.d left behind" {
    STUB_MISSING="jq" STUB_APT_FAIL=100 run "$DEPS" test
    [ "$status" -eq 100 ]
    [[ "$output" == *"apt-get install -y -qq --no-install-recommends jq' failed with status 100"* ]]
    [[ "$output" == *"E: Unable to locate package"* ]]
    [ ! -e "$SBIN/policy-rc.d" ]
}

@test "apt-get update failing: a clear message and a non-zero status" {
    STUB_MISSING="jq" STUB_APT_FAIL=1 STUB_APT_FAIL_ON=update run "$DEPS" test
    [ "$status" -eq 1 ]
    [[ "$output" == *"apt-get update -qq' failed with status 1"* ]]
    ! grep -q '^install' "$LOG"
}

@test "a bad argument is a usage error" {
    run "$DEPS" nonsense
    [ "$status" -eq 2 ]
    [[ "$output" == *"usage:"* ]]
}

@test "scaleout: the job engines and the base build packages, without recommends" {
    STUB_MISSING="slurmctld slurmd slurm-client munge parallel openssh-server cmake" run "$DEPS" scaleout
    [ "$status" -eq 0 ]
    [[ "$output" == *"installing cmake slurmctld slurmd slurm-client munge parallel openssh-server"* ]]
    grep -q '^install policy=101 args=install -y -qq --no-install-recommends cmake slurmctld slurmd slurm-client munge parallel openssh-server$' "$LOG"
}
