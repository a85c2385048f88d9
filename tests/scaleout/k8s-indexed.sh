#!/usr/bin/env bash
# k8s-indexed.sh: the Kubernetes Indexed Job of examples/k8s-indexed-job.yaml,
# which cannot run here, as far as one machine can take it (issue 11, "The
# engines", item 3). The container's command and args are read from the
# manifest (a small parse of the form the manifest keeps: no yq) and run
# once per index, with JOB_COMPLETION_INDEX set, the container's env, volley
# on PATH as in the image, and the manifest's mountPaths mapped into the temp
# folder (the ConfigMap's urls.txt: a list of 200 URLs on 20 host names,
# all --resolve'd to the fixture on 127.0.0.1; the results volume shared by
# every "pod"), `parallelism` indexes at a time.
#
# Checks: the manifest is an Indexed Job whose SHARDS equals completions,
# restartPolicy Never, backoffLimitPerIndex set, podFailurePolicy FailJob
# on volley's 2 and FailIndex on 1; union = list, each line once, every host
# in one shard (the one FNV-1a-64 says); a planted 404 makes its index exit 1
# and the policy's answer FailIndex (and --summarize over the results 1), a
# usage error exits 2 -> FailJob; an index run again (a retried pod) with
# the same volume fetches nothing again and writes nothing.
#
# Env: VOLLEY, FIXTURE (as for the e2e tests); SO_MAX_SECONDS (default 120).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR
source "$here/lib.sh"

so_need jq curl
so_volley_has --shard --resume --resume-failed --summarize
so_init 120
so_selftest_fnv
manifest=${K8S_MANIFEST:-$root/examples/k8s-indexed-job.yaml}

# ---- the manifest, read by a parse of its own form --------------------------
# value KEY: the first "KEY: value" of the Job (after its "kind: Job")
value() {
    awk -v key="$1" '/^kind: Job$/ { job = 1 }
        job && $1 == key ":" { sub(/^[^:]*: */, ""); gsub(/"/, ""); print; exit }' "$manifest"
}
# the container command: the items of the block list under "command:", a
# "- |" item being the indented block after it; NUL-separated
command_items() {
    awk '
        function flush() { if (inblock) { printf "%s%c", block, 0; inblock = 0; block = "" } }
        !started && /^ *command:$/ { started = 1; match($0, /^ */); base = RLENGTH; next }
        started && !done {
            match($0, /^ */); ind = RLENGTH
            if (inblock && ($0 ~ /^ *$/ || ind > item)) {
                line = substr($0, blockind + 1)
                block = block line "\n"
                next
            }
            flush()
            if (ind >= base && $0 ~ /^ *- /) {
                item = ind
                v = $0; sub(/^ *- /, "", v)
                if (v == "|") { inblock = 1; blockind = ind + 2; next }
                gsub(/^"|"$/, "", v); printf "%s%c", v, 0
                next
            }
            done = 1
        }
        END { flush() }' "$manifest"
}
completions=$(value completions)
parallelism=$(value parallelism)
shards=$(awk '/- name: SHARDS$/ { getline; sub(/^ *value: */, ""); gsub(/"/, ""); print; exit }' "$manifest")
mapfile -d '' -t cmd < <(command_items)
args_json=$(sed -n 's/^ *args: *//p' "$manifest")
mapfile -t args < <(jq -r '.[]' <<<"$args_json")
mapfile -t mounts < <(sed -n 's/^ *mountPath: *//p' "$manifest")
so_check "the Job is Indexed" [ "$(value completionMode)" = Indexed ]
so_check "SHARDS ($shards) equals completions ($completions)" [ "$shards" = "$completions" ]
so_check "restartPolicy is Never (podFailurePolicy needs it)" [ "$(value restartPolicy)" = Never ]
so_check "backoffLimitPerIndex is set (FailIndex needs it)" [ -n "$(value backoffLimitPerIndex)" ]
so_check "the container command is sh -c SCRIPT NAME" \
    [ "${#cmd[@]}" = 4 -a "${cmd[0]}" = /bin/sh -a "${cmd[1]}" = -c ]
so_check "the args are a flow list ending in the list file" [ "${#args[@]}" -ge 1 ]
# the podFailurePolicy's action for volley's exit CODE
policy_for() {
    awk -v code="$1" '
        /- action:/ { action = $3 }
        /values:/ { v = $0; sub(/.*\[/, "", v); sub(/\].*/, "", v)
            n = split(v, a, / *, */); for (i = 1; i <= n; i++) if (a[i] == code) { print action; exit } }
        ' "$manifest"
}
so_check "podFailurePolicy: volley's 2 -> FailJob" [ "$(policy_for 2)" = FailJob ]
so_check "podFailurePolicy: volley's 1 -> FailIndex" [ "$(policy_for 1)" = FailIndex ]
so_check "podFailurePolicy: volley's 3 is retried (no rule)" [ -z "$(policy_for 3)" ]

# ---- the "cluster": mounts, image, env -------------------------------------
mkdir -p "$W/bin"
ln -s "$VOLLEY" "$W/bin/volley"
for m in "${mounts[@]}"; do mkdir -p "$W/mnt$m"; done
mapped() { # STRING: the mountPaths in STRING mapped into $W/mnt
    local s=$1 m
    for m in "${mounts[@]}"; do s=${s//$m/$W/mnt$m}; done
    printf '%s' "$s"
}
script=$(mapped "${cmd[2]}")
margs=()
for a in "${args[@]}"; do margs+=("$(mapped "$a")"); done
list=${margs[-1]}
[[ $list == "$W/mnt/"* ]] || so_fail "the last arg ($list) is not a file on a mounted volume"
results=""
for m in "${mounts[@]}"; do [[ ${cmd[2]} == *"$m/"* ]] && results=$W/mnt$m; done
[[ -n $results ]] || so_fail "the script writes to no mounted volume"

so_fixture_start 127.0.0.1
port=${FIX_PORTS[0]}
NHOSTS=20 PER_HOST=10 # at the manifest's 5/s per host: about 2 s a shard
hosts=()
for ((h = 1; h <= NHOSTS; h++)); do hosts+=("$(printf 'k%02d.volley.test' "$h")"); done
notfound=${hosts[0]}
for ((i = 1; i <= PER_HOST; i++)); do
    for h in "${hosts[@]}"; do
        if [[ $h == "$notfound" && $i == 1 ]]; then
            echo "http://$h:$port/status/404?i=$i"
        else
            echo "http://$h:$port/ok?i=$i"
        fi
    done
done >"$list"
nurls=$(wc -l <"$list")
resolve=()
for h in "${hosts[@]}"; do resolve+=(--resolve "$h:$port:127.0.0.1"); done
requests() { curl -sS --max-time 5 "http://127.0.0.1:$port/stats" | jq -r .requests; }

# pod INDEX [EXTRA OPTION...]: the container's command for INDEX; its status
pod() {
    local index=$1
    shift
    env -i PATH="$W/bin:/usr/bin:/bin" HOME="$W" SHARDS="$shards" JOB_COMPLETION_INDEX="$index" \
        ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
        timeout 60 "${cmd[0]}" "${cmd[1]}" "$script" "${cmd[3]}" "$@" "${resolve[@]}" "${margs[@]}" \
        2>"$W/pod-$index.err"
}

# ---- every index, `parallelism` at a time ------------------------------------
t=$SECONDS
declare -A status
for ((i = 0; i < completions; i += parallelism)); do
    pids=()
    for ((j = i; j < i + parallelism && j < completions; j++)); do
        pod "$j" &
        pids[j]=$!
    done
    for j in "${!pids[@]}"; do
        rc=0
        wait "${pids[j]}" || rc=$?
        status[$j]=$rc
    done
done
so_log "$completions indexes ($nurls URLs, $parallelism at a time): $((SECONDS - t)) s"
want_404=$(($(so_shard_of "$notfound" "$completions") - 1))
for ((j = 0; j < completions; j++)); do
    want=0
    [[ $j == "$want_404" ]] && want=1
    [[ ${status[$j]} == "$want" ]] || so_fail "index $j exited ${status[$j]}, not $want" "$W/pod-$j.err"
done
so_check "the 404's index exited 1, which the policy answers with $(policy_for 1)" \
    [ "${status[$want_404]}" = 1 -a "$(policy_for "${status[$want_404]}")" = FailIndex ]

files=()
for ((k = 1; k <= completions; k++)); do
    [[ -s $results/shard-$k.jsonl ]] || so_fail "index $((k - 1)) wrote no $results/shard-$k.jsonl" "$W/pod-$((k - 1)).err"
    files+=("$results/shard-$k.jsonl")
done
for f in "${files[@]}"; do
    jq -r --arg f "${f##*/}" '[$f, .input, .url] | @tsv' "$f"
done >"$W/records.tsv"
cut -f2,3 "$W/records.tsv" | sort >"$W/records.input-url"
awk -v l="$list" '{ print l ":" NR "\t" $0 }' "$list" | sort >"$W/list.input-url"
so_check "union = list, each line once" cmp -s "$W/records.input-url" "$W/list.input-url"
awk -F'\t' '{ split($3, u, "/"); sub(/:.*/, "", u[3]); print u[3] "\t" $1 }' "$W/records.tsv" |
    sort -u >"$W/host-shard"
so_check "every host is in exactly one shard" [ "$(wc -l <"$W/host-shard")" = "$NHOSTS" ]
while IFS=$'\t' read -r h f; do
    [[ $f == "shard-$(so_shard_of "$h" "$completions").jsonl" ]] ||
        so_fail "host $h is in $f, not in the shard FNV-1a-64 says"
done <"$W/host-shard"
so_log "ok: each host is in shard FNV-1a-64(host) mod $completions + 1, from JOB_COMPLETION_INDEX + 1"

rc=0
"$VOLLEY" -q --summarize --report json="$W/summary.json" "${files[@]}" >/dev/null 2>"$W/summarize.err" || rc=$?
[[ $rc == 1 ]] || so_fail "--summarize over the results exits $rc, not 1 (the 404)" "$W/summarize.err"
so_check "--summarize over the results: one run's report ($nurls URLs, one http failure), status 1" \
    [ "$(jq -c '[.urls, .ok, .errors.http]' "$W/summary.json")" = "[$nurls,$((nurls - 1)),1]" ]

# ---- a retried pod: the same index again, on the same volume -------------------
ok_index=$(((want_404 + 1) % completions))
before=$(requests)
sum=$(sha256sum <"${files[$ok_index]}")
rc=0
pod "$ok_index" || rc=$?
so_check "index $ok_index run again exits 0" [ "$rc" = 0 ]
so_check "...fetching nothing again ($(($(requests) - before)) requests)" [ "$(requests)" = "$before" ]
so_check "...and writing nothing" [ "$(sha256sum <"${files[$ok_index]}")" = "$sum" ]

# ---- a configuration error: 2 -> FailJob --------------------------------------
rc=0
pod 0 --parallel 0 || rc=$?
so_check "a usage error exits 2, which the policy answers with $(policy_for 2)" \
    [ "$rc" = 2 -a "$(policy_for "$rc")" = FailJob ]
so_log "PASS"
