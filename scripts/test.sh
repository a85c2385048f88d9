#!/usr/bin/env bash
# test.sh: the whole test suite from a fresh clone. Installs what is missing,
# checks formatting, builds with -Werror under AddressSanitizer and
# UndefinedBehaviorSanitizer, runs every unit and end-to-end test (ctest;
# the end-to-end suite twice, the second time over four event loops), runs
# the unit tests and the threaded cases under ThreadSanitizer, runs every
# fuzz target for a few seconds (scripts/fuzz.sh --smoke), checks
# `cmake --install`, builds, installs, checks and removes the .deb
# (as root), runs the job engines for real (Slurm, GNU parallel over ssh,
# the Kubernetes example's command; as root, after `deps.sh scaleout`), runs
# the core end-to-end tests again under valgrind, and runs the smoke
# versions of the benchmark suite and the soak.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

echo "== format (.clang-format)"
mapfile -t sources < <(git ls-files 'src/*.c' 'include/*.h' 'tests/unit/*.c' 'tests/server/*.c' 'tests/fuzz/*.[ch]' 2>/dev/null || ls src/*.c include/*.h tests/unit/*.c tests/server/*.c tests/fuzz/*.[ch])
clang-format --dry-run --Werror "${sources[@]}"

jobs=$(nproc)
echo "== build (ASan + UBSan, -Werror)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DVOLLEY_WERROR=ON -DVOLLEY_SANITIZE=ON >/dev/null
cmake --build build-test -j"$jobs"

echo "== tests under the sanitizers"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --test-dir build-test --output-on-failure -j"$jobs" --timeout 600 -LE scaleout

echo "== ThreadSanitizer: the unit tests and the threaded end-to-end cases"
cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DVOLLEY_WERROR=ON -DVOLLEY_SANITIZE=thread >/dev/null
cmake --build build-tsan -j"$jobs"
tsan_options=second_deadlock_stack=1
# libcurl before 8.5.0 closes a socket still connecting behind the socket
# callback's back; the file says why that one report is not ours to fix
pkg-config --atleast-version=8.5.0 libcurl ||
    tsan_options+=":suppressions=$PWD/tests/tsan-libcurl-before-8.5.supp"
TSAN_OPTIONS=$tsan_options \
    ctest --test-dir build-tsan --output-on-failure -j"$jobs" --timeout 900 \
    -R '^unit_|^e2e_threads$|^e2e_threads4_core$'

echo "== fuzz smoke (every libFuzzer target: its seed corpus, then 5 s of fuzzing; clang)"
scripts/fuzz.sh --smoke

echo "== cmake --install puts the binary, the man page and the completions in place"
inst=$(mktemp -d)
cmake --install build-test --prefix "$inst/usr" >/dev/null
for f in bin/volley share/man/man1/volley.1 share/bash-completion/completions/volley \
    share/zsh/site-functions/_volley; do
    [ -f "$inst/usr/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
"$inst/usr/bin/volley" --version >/dev/null
rm -rf "$inst"

echo "== the .deb installs the binary, the man page and the completions where they are looked for"
scripts/deb-check.sh

echo "== job engines: a Slurm job array, GNU parallel over ssh, the Kubernetes Indexed Job's command"
scripts/deps.sh scaleout
ctest --test-dir build-test --output-on-failure -L scaleout

echo "== core end-to-end tests under valgrind"
cmake -S . -B build-valgrind -DCMAKE_BUILD_TYPE=Debug -DVOLLEY_WERROR=ON >/dev/null
cmake --build build-valgrind -j"$jobs"
ctest --test-dir build-valgrind --output-on-failure -L valgrind --timeout 900

if [ -x bench/run.sh ]; then
    scripts/deps.sh bench
    echo "== benchmark smoke run (every run verified; fails on a wrong or missing record)"
    bench/run.sh --smoke --volley build-valgrind/volley
    echo "== soak smoke run (every record once, no fd leak)"
    bench/soak.sh --smoke --volley build-valgrind/volley
fi
