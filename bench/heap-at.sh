#!/usr/bin/env bash
# heap-at.sh PID: glibc's heap of a running volley, arena by arena
# (malloc_info's XML, summarised): bytes in use and bytes free in each, and
# the mmapped chunks. For bench/soak.sh's SOAK_AT_QUIET, to tell a growing
# live heap from a fragmented one. Attaches gdb for a moment (ptrace:
# run it as the same user, or as root).
set -euo pipefail
pid=${1:?usage: heap-at.sh PID}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
gdb -p "$pid" -batch -nx \
  -ex "set \$f = (void *) fopen(\"$out\", \"w\")" \
  -ex 'call (int) malloc_info(0, $f)' \
  -ex 'call (int) fclose($f)' >/dev/null 2>&1
awk -v at="$(date -u +%H:%M:%S)" '
  /<heap nr=/ { match($0, /nr="[0-9]+"/); h = substr($0, RSTART + 4, RLENGTH - 5) }
  /<total type="fast"/ || /<total type="rest"/ { match($0, /size="[0-9]+"/); free[h] += substr($0, RSTART + 6, RLENGTH - 7) }
  /<system type="current"/ && h != "" { match($0, /size="[0-9]+"/); sys[h] = substr($0, RSTART + 6, RLENGTH - 7) }
  /<\/heap>/ { h = "" }
  /^<total type="mmap"/ { match($0, /size="[0-9]+"/); mm = substr($0, RSTART + 6, RLENGTH - 7) }
  END {
    for (k in sys) { printf "%s arena %s: system %d kB, free %d kB, in use %d kB\n", at, k, sys[k] / 1024, free[k] / 1024, (sys[k] - free[k]) / 1024; ts += sys[k]; tf += free[k] }
    printf "%s all arenas: system %d kB, free %d kB, in use %d kB; mmapped chunks %d kB\n", at, ts / 1024, tf / 1024, (ts - tf) / 1024, mm / 1024
  }' "$out"
