#!/usr/bin/env bash
# Measures how storefleet serves many stores from one process on 127.0.0.1.
#
# The script provisions BENCH_STORES stores (store-0001 … store-1000 by default) with
# sample products and starts `storefleet serve` with --max-open-stores 256 by default.
# Then wrk runs twice on the product-list home page: (a) every request to store-0001,
# (b) requests spread over all stores, so that most of them make the pool open a store
# file and close another. It prints requests/s and p50/p99 latency of both, their ratio,
# the server's memory during and after the spread run, and the cost of one cold open
# measured from outside (benchmarks/stores/cold_open.py). Everything it starts stops when
# it ends.
#
# Provisioning runs `storefleet stores create` in parallel, the same command an operator
# runs, and caches the data folder under /tmp keyed by the binary's hash, so reruns of the
# same build skip it. A cache older than 7 days is rebuilt, because the stores' 14-day
# trials would run out.
#
# Settings, from the environment:
#   BENCH_DURATION      seconds of each wrk run (default 15)
#   BENCH_STORES        number of stores, 400 to 9999 (default 1000)
#   BENCH_CONNECTIONS   keep-alive connections wrk opens (default 64)
#   BENCH_THREADS       wrk threads (default 2)
#   BENCH_SPREAD_ORDER  round-robin (default: every request misses the pool) or random
#   BENCH_MAX_OPEN_STORES  the server's --max-open-stores (default 256); the cold-open
#                       timing is skipped when fewer than 60 stores lie outside the pool
#   BENCH_JOBS          parallel `stores create` processes (default: 2 per core)
#   BENCH_LOG_LEVEL     the server's --log-level (default info: one line per request)
#   BENCH_PROFILE       a folder: record a perf profile with DWARF call stacks of the
#                       server during each run there, and print which share of it falls
#                       in the pool's opens and closes (slows the server; needs perf,
#                       from Debian's linux-perf)
#   BENCH_TMPDIR        folder for the run's copy of the data folder (default /tmp), such
#                       as /dev/shm to take the disk's file system out of the figures
#   BENCH_SKIP_BUILD    1 to use the release binary already built
#   BENCH_CACHE_KEY     the provisioned stores to reuse: the 16 hex digits of another
#                       build's cache folder name (default: this binary's hash). Only for
#                       builds whose store schema, sample products and provisioning match
#                       that build's, since the stores are not created again
#   BENCH_SERVER_PRELOAD  libraries, separated by colons, that the server alone runs with
#                       as LD_PRELOAD, for the experiments in benchmarks/stores/experiments/
#
# Usage: benchmarks/stores.sh   (from any folder; needs root or wrk installed, because it
# installs wrk with apt-get when it is missing)

set -euo pipefail

duration=${BENCH_DURATION:-15}
store_count=${BENCH_STORES:-1000}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
spread_order=${BENCH_SPREAD_ORDER:-round-robin}
jobs=${BENCH_JOBS:-$(( $(nproc) * 2 ))}
log_level=${BENCH_LOG_LEVEL:-info}
profile_folder=${BENCH_PROFILE:-}
server_preload=${BENCH_SERVER_PRELOAD:-}
max_open_stores=${BENCH_MAX_OPEN_STORES:-256}
domain=localhost

# Targets: the spread run's requests/s at least this fraction of the single-store run's,
# the server's resident memory at most this many MB, a cold open under this many ms.
target_ratio=0.75
target_memory_mb=150
target_cold_open_ms=1.0

package_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scripts="$package_root/benchmarks/stores"
source "$scripts/lib.sh"

if ! [[ "$store_count" =~ ^[0-9]+$ ]] || (( store_count < 400 || store_count > 9999 )); then
    echo "error: BENCH_STORES must be a number from 400 to 9999, not '$store_count'; the cold-open measurement needs more stores than the pool of $max_open_stores" >&2
    exit 64
fi
if ! [[ "$max_open_stores" =~ ^[0-9]+$ ]] || (( max_open_stores < 1 )); then
    echo "error: BENCH_MAX_OPEN_STORES must be a whole number of at least 1, not '$max_open_stores'" >&2
    exit 64
fi
if [[ "$spread_order" != round-robin && "$spread_order" != random ]]; then
    echo "error: BENCH_SPREAD_ORDER must be round-robin or random, not '$spread_order'" >&2
    exit 64
fi

# -- Tools ---------------------------------------------------------------------------

if ! command -v wrk >/dev/null; then
    echo "installing wrk from the Debian packages"
    apt-get update
    apt-get install -y wrk
fi
if ! command -v python3 >/dev/null; then
    echo "installing python3 from the Debian packages, for the cold-open timing"
    apt-get update
    apt-get install -y python3
fi
if [[ -n "$profile_folder" ]] && ! perf stat -e instructions true >/dev/null 2>&1; then
    echo "error: BENCH_PROFILE is set, but 'perf stat -e instructions true' fails here; install linux-perf or unset BENCH_PROFILE" >&2
    exit 1
fi

build_storefleet

# -- Scratch folder and cleanup ------------------------------------------------------

scratch=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/storefleet-stores-bench.XXXXXX")
server_pid=""
wrk_pid=""
sampler_pid=""
perf_pid=""

cleanup() {
    stop_process "$perf_pid" perf 10
    stop_process "$sampler_pid" "memory sampler" 10
    stop_process "$wrk_pid" wrk 10
    stop_process "$server_pid" "storefleet serve" 10
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- Stores --------------------------------------------------------------------------

binary_hash=${BENCH_CACHE_KEY:-$(sha256sum "$storefleet" | cut -c 1-16)}
cache="/tmp/storefleet-stores-bench-cache-$binary_hash-$store_count"

# Creates the stores in folder $1 and records how long it took in $1/provisioning-seconds.
provision() {
    local target=$1
    local data="$target/data"
    mkdir -p "$data"
    local started=$SECONDS
    local create=("$storefleet" stores create --data "$data" --password bench-password-1 --sample-products)

    # A parallel creation can fail on a busy catalog. Once, one of 120 creations in 8
    # processes failed with SQLITE_BUSY in `PRAGMA journal_mode=WAL` on platform.sqlite.
    # Creation is all or nothing, so each store missing afterwards is created again, one
    # at a time, and a failure then stops the script.
    seq -f 'store-%04g' 1 "$store_count" |
        xargs -P "$jobs" -I '{}' "${create[@]}" --slug '{}' --name 'Bench store {}' --owner-email 'owner@{}.example' \
        >> "$target/create.log" 2>&1 || true
    local missing
    missing=$(comm -23 <(seq -f 'store-%04g' 1 "$store_count") \
        <("$storefleet" stores list --data "$data" | awk '$4 == "trialing" { print $1 }' | sort))
    if [[ -n "$missing" ]]; then
        echo "creating $(wc -w <<< "$missing") stores again, one at a time, after failed parallel creations:"
        grep -v -e '^Created store' -e '^Store URL' -e '^Admin URL' -e '^Owner login' "$target/create.log" | sort | uniq -c || true
        local store_slug
        for store_slug in $missing; do
            "${create[@]}" --slug "$store_slug" --name "Bench store $store_slug" --owner-email "owner@$store_slug.example" >> "$target/create.log"
        done
    fi

    echo $((SECONDS - started)) > "$target/provisioning-seconds"
}

# Writes "slug id" lines of the ready, trialing benchmark stores in data folder $1 to $2
# and fails unless there are exactly store_count of them.
write_store_map() {
    local data=$1 map=$2
    "$storefleet" stores list --data "$data" |
        awk '$1 ~ /^store-[0-9][0-9][0-9][0-9]$/ && $4 == "trialing" { print $1, $2 }' > "$map"
    local found
    found=$(wc -l < "$map")
    if (( found != store_count )); then
        echo "error: the data folder $data has $found trialing benchmark stores, expected $store_count; delete it and run again" >&2
        exit 1
    fi
}

if [[ -f "$cache/complete" ]] && [[ -n "$(find "$cache/complete" -mmin -$((7 * 24 * 60)))" ]]; then
    echo "reusing $store_count stores from $cache (provisioned in $(cat "$cache/provisioning-seconds")s when made)"
else
    rm -rf "$cache" "$cache.partial"
    echo "provisioning $store_count stores with sample products ($jobs parallel 'storefleet stores create')"
    provision "$cache.partial"
    write_store_map "$cache.partial/data" "$cache.partial/store-map"
    touch "$cache.partial/complete"
    mv "$cache.partial" "$cache"
    echo "provisioned $store_count stores in $(cat "$cache/provisioning-seconds")s into $cache"
fi

# Each run works on a copy, so the server never writes to the cached folder.
cp -a "$cache/data" "$scratch/data"
write_store_map "$scratch/data" "$scratch/store-map"
# Writing the copy back to disk now keeps that writeback out of the timed runs.
sync -f "$scratch/data"

# -- Server --------------------------------------------------------------------------

# Each open store costs three descriptors (database, -wal, -shm). The pool also keeps up
# to 256 for sockets, and it lowers its store limit when the soft limit is too small.
needed_descriptors=$(( max_open_stores * 3 + 256 + connections + 256 ))
if (( $(ulimit -n) < needed_descriptors )); then
    if ! ulimit -n "$needed_descriptors" 2>/dev/null; then
        echo "error: the open-file limit is $(ulimit -n) and cannot be raised to $needed_descriptors (hard limit $(ulimit -Hn)); raise the hard limit" >&2
        exit 1
    fi
fi

IFS=: read -r -a preload_libraries <<< "$server_preload"
for library in "${preload_libraries[@]}"; do
    if [[ ! -f "$library" ]]; then
        echo "error: BENCH_SERVER_PRELOAD names $library, which does not exist; build it first" >&2
        exit 1
    fi
done
env ${server_preload:+LD_PRELOAD="$server_preload"} \
    "$storefleet" serve --data "$scratch/data" --host 127.0.0.1 --port 0 --root "$package_root" \
    --max-open-stores "$max_open_stores" --no-demo --log-level "$log_level" \
    > "$scratch/server.out" 2> "$scratch/server.log" &
server_pid=$!
port=$(wait_for_storefleet_port "$scratch/server.out" "$server_pid" "$scratch/server.log")

if ! grep -q "event=store_pool.limit .*max_open_stores=$max_open_stores\b" "$scratch/server.log"; then
    echo "error: the server did not keep --max-open-stores $max_open_stores; its pool line follows" >&2
    grep "store_pool.limit" "$scratch/server.log" >&2 || true
    exit 1
fi

# Each store must serve its own page before anything is timed.
for number in 1 $((store_count / 2)) "$store_count"; do
    store_slug=$(printf 'store-%04d' "$number")
    status=$(curl -sS -o "$scratch/check.html" -w '%{http_code}' -H "Host: $store_slug.$domain" "http://127.0.0.1:$port/")
    if [[ "$status" != 200 ]] || ! grep -q "Bench store $store_slug" "$scratch/check.html"; then
        echo "error: GET / on $store_slug.$domain returned $status without the store's name; the server log follows" >&2
        tail -20 "$scratch/server.log" >&2
        exit 1
    fi
done
page_bytes=$(wc -c < "$scratch/check.html")

# -- Runs ----------------------------------------------------------------------------

echo
print_machine_summary "$scratch/data"
warn_if_busy
echo "stores: $store_count, pool: --max-open-stores $max_open_stores, page: GET / (product list, $page_bytes bytes)"
echo "wrk: $connections keep-alive connections, $threads threads, ${duration}s per run; spread order: $spread_order"
if [[ -n "$server_preload" ]]; then
    echo "experiment: the server runs with LD_PRELOAD=$server_preload"
fi
echo

# Runs wrk with the Lua script $2 and the other arguments, its output going to $1, and
# records a perf profile of the server into the profile folder when one is set. wrk runs
# in the background so that SIGINT or SIGTERM reaches the trap at once.
run_wrk() {
    local name=$1 script=$2
    shift 2
    if [[ -n "$profile_folder" ]]; then
        mkdir -p "$profile_folder"
        perf record --call-graph dwarf,16384 -F 99 -p "$server_pid" -o "$profile_folder/$name.perf.data" -- sleep "$duration" \
            > /dev/null 2> "$scratch/perf-$name.log" &
        perf_pid=$!
    fi
    local cpu_before
    cpu_before=$(cpu_ms "$server_pid")
    wrk -t "$threads" -c "$connections" -d "${duration}s" --timeout 10s -s "$scripts/$script" "$@" \
        > "$scratch/$name.wrk" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=""
    local cpu_used=$(( $(cpu_ms "$server_pid") - cpu_before ))
    if [[ -n "$perf_pid" ]]; then
        wait "$perf_pid" || true
        perf_pid=""
        perf report -i "$profile_folder/$name.perf.data" --no-children --sort sym --stdio -g none --percent-limit 0.5 \
            > "$profile_folder/$name.top.txt" 2> /dev/null || true
        perf script -i "$profile_folder/$name.perf.data" -F comm,ip,sym > "$profile_folder/$name.stacks.txt" 2> /dev/null || true
        python3 "$scripts/profile_summary.py" "$profile_folder/$name.stacks.txt" > "$profile_folder/$name.summary.txt"
        echo "profile: $profile_folder/$name.perf.data, top symbols in $name.top.txt, shares in $name.summary.txt:"
        sed 's/^/    /' "$profile_folder/$name.summary.txt"
    fi

    result=$(grep '^storebench-result ' "$scratch/$name.wrk" || true)
    if [[ -z "$result" ]]; then
        echo "error: wrk printed no result line for the $name run; its output follows" >&2
        cat "$scratch/$name.wrk" >&2
        exit 1
    fi
    # The server's CPU time per request depends less on other processes than requests/s.
    result+=" server_cpu_ms_per_request=$(awk -v cpu="$cpu_used" -v n="$(field "$result" requests)" 'BEGIN { printf "%.3f", cpu / n }')"
    local bad=0 key
    for key in connect_errors read_errors write_errors timeouts non_2xx_3xx; do
        bad=$(( bad + $(field "$result" "$key") ))
    done
    if (( bad > 0 )); then
        echo "warning: the $name run had $bad failed or non-2xx/3xx requests; its figures are not comparable ($result)" >&2
    fi
}

echo "run (a): every request to store-0001.$domain"
run_wrk one-store one-store.lua -H "Host: store-0001.$domain" "http://127.0.0.1:$port/"
one=$result
echo "  $(field "$one" rps) requests/s, p50 $(field "$one" p50_ms) ms, p99 $(field "$one" p99_ms) ms, max $(field "$one" max_ms) ms, server CPU $(field "$one" server_cpu_ms_per_request) ms/request"
rss_before_spread=$(status_mb "$server_pid" VmRSS)

echo "run (b): requests spread over $store_count stores ($spread_order)"
sample_server "$server_pid" "$scratch/samples" &
sampler_pid=$!
BENCH_STORES=$store_count BENCH_SPREAD_ORDER=$spread_order BENCH_DOMAIN=$domain BENCH_THREADS=$threads \
    run_wrk spread spread.lua "http://127.0.0.1:$port/"
spread=$result
stop_process "$sampler_pid" "memory sampler" 10
sampler_pid=""
echo "  $(field "$spread" rps) requests/s, p50 $(field "$spread" p50_ms) ms, p99 $(field "$spread" p99_ms) ms, max $(field "$spread" max_ms) ms, server CPU $(field "$spread" server_cpu_ms_per_request) ms/request"

rss_peak_during=$(awk '$1 > peak { peak = $1 } END { printf "%.1f", peak * 1024 / 1e6 }' "$scratch/samples")
open_peak_during=$(awk '$2 > peak { peak = $2 } END { print peak + 0 }' "$scratch/samples")
rss_after=$(status_mb "$server_pid" VmRSS)
hwm_after=$(status_mb "$server_pid" VmHWM)
open_after=$(open_store_files "$server_pid")

# Three rounds of batches that were not open since the priming pass (see cold_open.py).
cold_batch=$(( (store_count - max_open_stores) / 3 ))
(( cold_batch > 200 )) && cold_batch=200
cold=""
if (( cold_batch >= 20 )); then
    echo "cold open: $store_count requests to prime, then 3 rounds of $cold_batch cold and $cold_batch warm requests"
    python3 "$scripts/cold_open.py" --port "$port" --stores "$store_count" --pool "$max_open_stores" \
        --batch "$cold_batch" --rounds 3 \
        --domain "$domain" --server-pid "$server_pid" --store-map "$scratch/store-map" > "$scratch/cold.txt"
    sed 's/^/  /' "$scratch/cold.txt"
    cold=$(grep '^storebench-cold ' "$scratch/cold.txt")
else
    echo "cold open: skipped, because only $((store_count - max_open_stores)) stores lie outside a pool of $max_open_stores"
fi
hwm_end=$(status_mb "$server_pid" VmHWM)
rss_parts="anonymous $(status_mb "$server_pid" RssAnon) MB, file $(status_mb "$server_pid" RssFile) MB, shared memory $(status_mb "$server_pid" RssShmem) MB"
# The kernel updates VmHWM lazily, so a later reading can be a little lower. The summary
# judges the highest figure seen.
memory_peak=$(printf '%s\n' "$rss_peak_during" "$hwm_after" "$hwm_end" | sort -g | tail -1)

# -- Summary -------------------------------------------------------------------------

ratio=$(awk -v a="$(field "$spread" rps)" -v b="$(field "$one" rps)" 'BEGIN { printf "%.3f", a / b }')
verdict() {
    # verdict VALUE OPERATOR TARGET prints "met" or "MISSED"; OPERATOR is >=, <= or <.
    awk -v value="$1" -v target="$3" -v op="$2" 'BEGIN {
        if (op == ">=") ok = value >= target
        else if (op == "<=") ok = value <= target
        else ok = value < target
        print ok ? "met" : "MISSED"
    }'
}
cold_cost=$(field "$cold" open_cost_mean_ms)
cpu_ratio=$(awk -v a="$(field "$one" server_cpu_ms_per_request)" -v b="$(field "$spread" server_cpu_ms_per_request)" 'BEGIN { printf "%.3f", a / b }')

echo
echo "== summary =="
printf '%-34s %12s %10s %10s %18s\n' "run" "requests/s" "p50 ms" "p99 ms" "server CPU ms/req"
printf '%-34s %12s %10s %10s %18s\n' "(a) one store" "$(field "$one" rps)" "$(field "$one" p50_ms)" "$(field "$one" p99_ms)" "$(field "$one" server_cpu_ms_per_request)"
printf '%-34s %12s %10s %10s %18s\n' "(b) $store_count stores, $spread_order" "$(field "$spread" rps)" "$(field "$spread" p50_ms)" "$(field "$spread" p99_ms)" "$(field "$spread" server_cpu_ms_per_request)"
echo "ratio (b)/(a): $ratio (target >= $target_ratio: $(verdict "$ratio" ">=" "$target_ratio"))"
echo "ratio of server CPU per request (a)/(b): $cpu_ratio (the requests/s ratio a CPU-bound server reaches when nothing else runs)"
echo "server memory: VmRSS ${rss_before_spread} MB before (b), peak ${rss_peak_during} MB during (b), ${rss_after} MB after (b); VmHWM ${hwm_after} MB after (b), ${hwm_end} MB at the end; highest ${memory_peak} MB (target <= $target_memory_mb MB: $(verdict "$memory_peak" "<=" "$target_memory_mb"))"
echo "VmRSS at the end: $rss_parts"
echo "open store files: peak $open_peak_during during (b), $open_after after (b) (pool limit $max_open_stores)"
if [[ -n "$cold" ]]; then
    echo "cold open (pool miss incl. closing the LRU store): mean $cold_cost ms, median $(field "$cold" open_cost_median_ms) ms over $(field "$cold" requests) stores (target < $target_cold_open_ms ms: $(verdict "$cold_cost" "<" "$target_cold_open_ms"))"
fi
echo "requests logged by the server: $(grep -c 'event=request ' "$scratch/server.log" || true)"
echo "load average after the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
