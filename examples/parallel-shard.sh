#!/bin/sh
# parallel-shard.sh: one volley shard on one node, for GNU parallel over ssh.
#
#   parallel --ssh ssh -S 1/node1,1/node2 --wd "$PWD" --joblog shards.log \
#       ./parallel-shard.sh {} 4 LIST OUTDIR [VOLLEY OPTION...] ::: 1 2 3 4
#
# Shard K of N runs `volley --shard K/N` over the whole LIST (the same path
# on every node: a shared folder) and appends its records (JSON Lines) to
# OUTDIR/shard-K.jsonl, with `--resume` on that same file, so running a
# shard again finishes it without writing any record twice. Connections
# leave from the address the node was reached on over ssh ($SSH_CONNECTION's
# third field), so each node fetches with its own source address.
#
# The joblog's Exitval column has volley's status for each shard (0, 1, 3,
# ...; 128+N when the shard was killed by signal N); parallel's own exit
# status is the number of shards that failed. To finish what failed:
#
#   parallel --resume-failed --joblog shards.log ...the same command line...
#
# With --resume-failed among the VOLLEY OPTIONs, the records that failed are
# fetched again too (not only the lines that have no record).
#
# VOLLEY (default: volley on PATH) names the binary; pass it with --env VOLLEY.
set -eu

if [ $# -lt 4 ]; then
    echo "usage: $0 K N LIST OUTDIR [VOLLEY OPTION...]" >&2
    exit 2
fi
k=$1 n=$2 list=$3 outdir=$4
shift 4
out=$outdir/shard-$k.jsonl

# SSH_CONNECTION = "client-addr client-port server-addr server-port"
# shellcheck disable=SC2086 # split into its four fields on purpose
set -- ${SSH_CONNECTION:?not run over ssh} "$@"
addr=$3
shift 4

mkdir -p "$outdir"
: >>"$out" # --resume needs the file to exist; empty on the first run
# volley reads the resume file up to its size at start, then appends to it
# shellcheck disable=SC2094
exec "${VOLLEY:-volley}" --shard "$k/$n" --interface "$addr" --json --quiet \
    --resume "$out" "$@" -- "$list" >>"$out"
