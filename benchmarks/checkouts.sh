#!/usr/bin/env bash
# Measures completed checkouts per second on 127.0.0.1: into one store, and spread over
# BENCH_SPREAD_STORES stores.
#
# A checkout is the whole guest checkout of one new visitor: GET a product page (session
# and CSRF token), POST /cart/add, GET /checkout, POST /checkout (details, returns the
# review with the quote's fingerprint), POST /checkout/place, GET the status page. It counts
# as completed when that confirmation page is served with the order's number. The client is
# wrk with benchmarks/checkout/checkout.lua, one connection per wrk thread, or with
# BENCH_CLIENT=python benchmarks/checkout/checkout_client.py; both walk the same steps.
#
# The script provisions BENCH_SPREAD_STORES stores with sample products (cached under /tmp
# by the binary's hash, like benchmarks/stores.sh), gives every product a stock of
# 1,000,000 so that nothing sells out, and starts `storefleet serve` on a fresh copy of
# them for each run. Each run takes a BENCH_WARMUP-second warm-up, whose checkouts are not
# counted, then BENCH_DURATION seconds. For each run the script prints completed
# checkouts/s and the p50 and p99 of the whole checkout. It also prints the server's and
# the client's CPU time per checkout (/proc/PID/stat, over the measured window), and the
# server's fdatasync and fsync calls per checkout (perf's syscall tracepoints, when they
# work). The summary adds the SQLite synchronous setting, the target, and the mail
# delivery rate after run (a).
#
# Target: at least 500 completed checkouts per second into one store.
#
# Settings, from the environment:
#   BENCH_DURATION        seconds of each measured window (default 15)
#   BENCH_WARMUP          seconds before it, not counted (default 3)
#   BENCH_CLIENTS         concurrent shoppers, one keep-alive connection each (default 16)
#   BENCH_CLIENT          wrk (default) or python
#   BENCH_PYTHON_PROCESSES  processes of the Python client (default 1); must divide
#                         BENCH_CLIENTS
#   BENCH_SPREAD_STORES   stores of the spread run, 2 to 250 (default 100; the server's
#                         pool keeps 256 open, so none is closed during the run)
#   BENCH_RUNS            "one spread" (default), or one of them
#   BENCH_LOG_LEVEL       the server's --log-level (default info: one line per request)
#   BENCH_MAIL_DRAIN      seconds after run (a) to measure the mail delivery of its backlog
#                         with no checkouts running (default 10; 0 skips it)
#   BENCH_PROFILE         a folder: record a perf profile of the server (DWARF call stacks,
#                         199 Hz) during each measured window there, and print which share
#                         falls in each checkout step (benchmarks/checkout/profile_summary.py)
#   BENCH_SERVER_PRELOAD  libraries, separated by colons, that the server alone runs with
#                         as LD_PRELOAD, for the experiments in benchmarks/checkout/experiments/
#   BENCH_TMPDIR          folder for the run's copy of the data folder (default /tmp)
#   BENCH_JOBS            parallel `stores create` processes (default: 2 per core)
#   BENCH_SKIP_BUILD      1 to use the release binary already built
#
# Usage: benchmarks/checkouts.sh   (from any folder; needs wrk or python3, and sqlite3)

set -euo pipefail

duration=${BENCH_DURATION:-15}
warmup=${BENCH_WARMUP:-3}
clients=${BENCH_CLIENTS:-16}
client_kind=${BENCH_CLIENT:-wrk}
python_processes=${BENCH_PYTHON_PROCESSES:-1}
spread_stores=${BENCH_SPREAD_STORES:-100}
runs=${BENCH_RUNS:-one spread}
log_level=${BENCH_LOG_LEVEL:-info}
mail_drain=${BENCH_MAIL_DRAIN:-10}
profile_folder=${BENCH_PROFILE:-}
server_preload=${BENCH_SERVER_PRELOAD:-}
jobs=${BENCH_JOBS:-$(( $(nproc) * 2 ))}
domain=localhost
target_per_second=500
stock=1000000

package_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scripts="$package_root/benchmarks/checkout"
source "$scripts/lib.sh"

for setting in duration clients python_processes spread_stores jobs; do
    if ! [[ "${!setting}" =~ ^[0-9]+$ ]] || (( ${!setting} < 1 )); then
        echo "error: the setting $setting must be a whole number of at least 1, not '${!setting}'" >&2
        exit 64
    fi
done
if ! [[ "$warmup" =~ ^[0-9]+$ && "$mail_drain" =~ ^[0-9]+$ ]]; then
    echo "error: BENCH_WARMUP and BENCH_MAIL_DRAIN must be whole numbers of seconds, not '$warmup' and '$mail_drain'" >&2
    exit 64
fi
if (( spread_stores < 2 || spread_stores > 250 )); then
    echo "error: BENCH_SPREAD_STORES must be from 2 to 250, not $spread_stores; more would make the pool close stores, which benchmarks/stores.sh measures" >&2
    exit 64
fi
if [[ "$client_kind" != wrk && "$client_kind" != python ]]; then
    echo "error: BENCH_CLIENT must be wrk or python, not '$client_kind'" >&2
    exit 64
fi
if (( clients % python_processes != 0 )); then
    echo "error: BENCH_PYTHON_PROCESSES ($python_processes) must divide BENCH_CLIENTS ($clients)" >&2
    exit 64
fi
for run in $runs; do
    if [[ "$run" != one && "$run" != spread ]]; then
        echo "error: BENCH_RUNS may list 'one' and 'spread', not '$run'" >&2
        exit 64
    fi
done

require_tools sqlite3 python3
[[ "$client_kind" == wrk ]] && require_tools wrk
if [[ -n "$profile_folder" ]]; then
    require_tools perf
    if ! perf stat -e instructions true >/dev/null 2>&1; then
        echo "error: BENCH_PROFILE is set, but 'perf stat -e instructions true' fails here; unset BENCH_PROFILE" >&2
        exit 1
    fi
fi
count_syncs=0
if command -v perf >/dev/null &&
    perf stat -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync true >/dev/null 2>&1; then
    count_syncs=1
fi
build_storefleet

# -- Stores --------------------------------------------------------------------------

binary_hash=$(sha256sum "$storefleet" | cut -c 1-16)
cache="/tmp/storefleet-checkout-bench-cache-$binary_hash-$spread_stores"
# The stores' 14-day trials must not run out, so a cache older than 7 days is rebuilt.
if [[ -f "$cache/complete" ]] && [[ -n "$(find "$cache/complete" -mmin -$((7 * 24 * 60)))" ]]; then
    echo "reusing $spread_stores stores from $cache"
else
    rm -rf "$cache" "$cache.partial"
    echo "creating $spread_stores stores with sample products ($jobs parallel 'storefleet stores create')"
    create_sample_stores "$cache.partial/data" checkout "$spread_stores" "$jobs" "$cache.partial/create.log"
    touch "$cache.partial/complete"
    mv "$cache.partial" "$cache"
fi

scratch=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/storefleet-checkouts-bench.XXXXXX")
server_pid=""
client_pid=""
perf_pid=""
sync_counter_pid=""

cleanup() {
    stop_process "$perf_pid" perf 10
    stop_process "$sync_counter_pid" "perf stat" 10
    stop_process "$client_pid" "checkout client" 10
    stop_process "$server_pid" "storefleet serve" 10
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

IFS=: read -r -a preload_libraries <<< "$server_preload"
for library in "${preload_libraries[@]}"; do
    if [[ ! -f "$library" ]]; then
        echo "error: BENCH_SERVER_PRELOAD names $library, which does not exist; build it first" >&2
        exit 1
    fi
done

# Copies the cached stores into a data folder of its own for run $1, gives every product
# the stock, and writes the run's catalogs. Sets `data`. The copy keeps the run's orders and
# queued mail out of the cache and out of the other run.
prepare_data() {
    local folder="$scratch/$1"
    mkdir -p "$folder"
    cp -a "$cache/data" "$folder/data"
    data="$folder/data"
    : > "$folder/spread.catalog"
    local number slug file
    for number in $(seq 1 "$spread_stores"); do
        slug="checkout-$number"
        file=$(store_file_of "$data" "$slug")
        set_stock "$file" "$stock"
        write_catalog_lines "$file" "$slug.$domain" >> "$folder/spread.catalog"
    done
    grep "^checkout-1\.$domain " "$folder/spread.catalog" > "$folder/one.catalog"
    # Writing the copy back to disk now keeps that writeback out of the timed run.
    sync -f "$data"
}

# Starts the server on the data folder of run $1 and sets server_pid and port.
start_server() {
    local folder="$scratch/$1"
    env ${server_preload:+LD_PRELOAD="$server_preload"} \
        "$storefleet" serve --data "$folder/data" --host 127.0.0.1 --port 0 --root "$package_root" --no-demo \
        --log-level "$log_level" > "$folder/server.out" 2> "$folder/server.log" &
    server_pid=$!
    port=$(wait_for_storefleet_port "$folder/server.out" "$server_pid" "$folder/server.log")
}

# The SQLite setting is not visible from outside the process, so it is read from the
# source: the store pool's configuration (Application.storeDatabaseConfiguration) keeps
# the Database.Configuration default unless it names `synchronous`.
synchronous_default=$(sed -n 's/.*synchronous: Synchronous = \.\([a-z]*\).*/\1/p' "$package_root/Sources/SQLite/DatabaseConfiguration.swift" | head -1)
if grep -q 'synchronous' "$package_root/Sources/StorefleetApp/Application.swift"; then
    synchronous="set in Sources/StorefleetApp/Application.swift (read it there)"
else
    synchronous="$(tr '[:lower:]' '[:upper:]' <<< "$synchronous_default") (the Database.Configuration default, Sources/SQLite/DatabaseConfiguration.swift; the store pool does not change it)"
fi

echo
print_machine_summary "$scratch"
warn_if_busy
echo "python: $(python3 --version 2>&1 | awk '{ print $2 }'), sqlite3: $(sqlite3 --version | awk '{ print $1 }')"
echo "client: $client_kind, $clients concurrent shoppers (one keep-alive connection each); warm-up ${warmup}s, then ${duration}s per run"
echo "server: storefleet serve, default workers and event loops, --log-level $log_level, mail transport file (the default)"
echo "SQLite synchronous: $synchronous"
if [[ -n "$server_preload" ]]; then
    echo "experiment: the server runs with LD_PRELOAD=$server_preload"
fi
echo

# -- Runs ----------------------------------------------------------------------------

# Runs the client on catalog $2 for run $1 and sets `result` to its result line with the
# server's and client's CPU time per checkout added.
run_checkouts() {
    local name=$1 catalog=$2
    local output="$scratch/$name/client.out"
    local total=$((warmup + duration))
    if [[ "$client_kind" == wrk ]]; then
        # wrk's own duration ends the connections; the window ends a little earlier.
        BENCH_CATALOG="$catalog" BENCH_WARMUP="$warmup" BENCH_DURATION="$duration" BENCH_THREADS="$clients" \
            wrk -t "$clients" -c "$clients" -d "$((total + 1))s" --timeout 10s -s "$scripts/checkout.lua" \
            "http://127.0.0.1:$port/" > "$output" 2>&1 &
    else
        python3 "$scripts/checkout_client.py" --port "$port" --catalog "$catalog" --clients "$clients" \
            --processes "$python_processes" --warmup "$warmup" --duration "$duration" --overrun 1 > "$output" 2>&1 &
    fi
    client_pid=$!

    sleep "$warmup"
    local server_before client_before
    server_before=$(cpu_ms "$server_pid")
    client_before=$(process_tree_cpu_ms "$client_pid")
    if [[ -n "$profile_folder" ]]; then
        mkdir -p "$profile_folder"
        perf record --call-graph dwarf,16384 -F 199 -p "$server_pid" -o "$profile_folder/$name.perf.data" \
            -- sleep "$duration" > /dev/null 2> "$scratch/perf-$name.log" &
        perf_pid=$!
    fi
    if (( count_syncs )); then
        perf stat -x , -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync -p "$server_pid" \
            -o "$scratch/$name/syncs.csv" -- sleep "$duration" > /dev/null 2>&1 &
        sync_counter_pid=$!
    fi
    sleep "$duration"
    local server_used=$(( $(cpu_ms "$server_pid") - server_before ))
    local client_used=$(( $(process_tree_cpu_ms "$client_pid") - client_before ))
    local load
    load=$(cut -d ' ' -f 1 /proc/loadavg)

    wait "$client_pid" || true
    client_pid=""
    if [[ -n "$sync_counter_pid" ]]; then
        wait "$sync_counter_pid" || true
        sync_counter_pid=""
    fi
    if [[ -n "$perf_pid" ]]; then
        wait "$perf_pid" || true
        perf_pid=""
        perf script -i "$profile_folder/$name.perf.data" -F comm,ip,sym > "$profile_folder/$name.stacks.txt" 2> /dev/null || true
        perf report -i "$profile_folder/$name.perf.data" --no-children --sort sym --stdio -g none --percent-limit 0.5 \
            > "$profile_folder/$name.top.txt" 2> /dev/null || true
        python3 "$scripts/profile_summary.py" "$profile_folder/$name.stacks.txt" > "$profile_folder/$name.summary.txt"
    fi

    result=$(grep '^checkout-result ' "$output" || true)
    if [[ -z "$result" ]]; then
        echo "error: the client printed no result line for the $name run; its output follows" >&2
        cat "$output" >&2
        exit 1
    fi
    local completed
    completed=$(field "$result" completed)
    if (( completed == 0 )); then
        echo "error: no checkout completed in the $name run; the client's output and the server log follow" >&2
        cat "$output" >&2
        tail -20 "$scratch/$name/server.log" >&2
        exit 1
    fi
    result+=" server_cpu_ms=$(awk -v cpu="$server_used" -v n="$completed" 'BEGIN { printf "%.3f", cpu / n }')"
    result+=" client_cpu_ms=$(awk -v cpu="$client_used" -v n="$completed" 'BEGIN { printf "%.3f", cpu / n }')"
    result+=" load=$load"
    if [[ -s "$scratch/$name/syncs.csv" ]]; then
        local fdatasyncs fsyncs
        fdatasyncs=$(awk -F , '$3 == "syscalls:sys_enter_fdatasync" { print $1 }' "$scratch/$name/syncs.csv")
        fsyncs=$(awk -F , '$3 == "syscalls:sys_enter_fsync" { print $1 }' "$scratch/$name/syncs.csv")
        result+=" fdatasync_per_checkout=$(awk -v c="$fdatasyncs" -v n="$completed" 'BEGIN { printf "%.3f", c / n }')"
        result+=" fsync_per_checkout=$(awk -v c="$fsyncs" -v n="$completed" 'BEGIN { printf "%.3f", c / n }')"
    fi

    grep '^checkout-failure ' "$output" | sed 's/^/  /' || true
    if (( $(field "$result" failed) > 0 )); then
        echo "warning: $(field "$result" failed) checkouts of the $name run failed (reasons above); its figures are not comparable" >&2
    fi
    echo "  $(field "$result" per_second) checkouts/s, p50 $(field "$result" p50_ms) ms, p99 $(field "$result" p99_ms) ms," \
        "server CPU $(field "$result" server_cpu_ms) ms/checkout, client CPU $(field "$result" client_cpu_ms) ms/checkout, load $load"
    if [[ -n "$profile_folder" ]]; then
        echo "  profile: $profile_folder/$name.perf.data; top symbols in $name.top.txt; shares:"
        sed 's/^/    /' "$profile_folder/$name.summary.txt"
    fi
}

# Measures for BENCH_MAIL_DRAIN seconds after run (a), with no checkouts running, how fast
# the server delivers the mail queued in checkout-1, and its CPU time per mail.
measure_mail_drain() {
    local file=$1
    local sent_before cpu_before sent_after cpu_after
    sent_before=$(sqlite3 "$file" "SELECT count(*) FROM outbox WHERE status = 'sent'")
    cpu_before=$(cpu_ms "$server_pid")
    sleep "$mail_drain"
    sent_after=$(sqlite3 "$file" "SELECT count(*) FROM outbox WHERE status = 'sent'")
    cpu_after=$(cpu_ms "$server_pid")
    local delivered=$((sent_after - sent_before))
    if (( delivered == 0 )); then
        echo "  mail delivery with no checkouts running: no mail delivered in ${mail_drain}s"
        return
    fi
    mail_drain_result="mails_per_second=$(awk -v n="$delivered" -v s="$mail_drain" 'BEGIN { printf "%.1f", n / s }')"
    mail_drain_result+=" cpu_ms_per_mail=$(awk -v c="$((cpu_after - cpu_before))" -v n="$delivered" 'BEGIN { printf "%.3f", c / n }')"
    echo "  mail delivery with no checkouts running: $(field "$mail_drain_result" mails_per_second) mails/s over ${mail_drain}s," \
        "server CPU $(field "$mail_drain_result" cpu_ms_per_mail) ms per mail"
}

one=""
spread=""
mail_drain_result=""
for run in $runs; do
    prepare_data "$run"
    start_server "$run"
    if [[ "$run" == one ]]; then
        echo "run (a): every checkout into checkout-1.$domain"
        one_store_file=$(store_file_of "$data" checkout-1)
        orders_before=$(sqlite3 "$one_store_file" "SELECT count(*) FROM orders")
        run_checkouts one "$scratch/one/one.catalog"
        one=$result
        orders_after=$(sqlite3 "$one_store_file" "SELECT count(*) FROM orders")
        echo "  orders stored in checkout-1 during the run: $((orders_after - orders_before)); acknowledged to the client, warm-up included: $(field "$one" acknowledged)"
        # Each order queues two mails (confirmation and new-order notice), which one
        # background thread delivers; a backlog means that work was not in the figures.
        mail_backlog=$(sqlite3 "$one_store_file" "SELECT count(*) FROM outbox WHERE status IN ('queued', 'sending')")
        echo "  mails still queued in checkout-1 at the end of the run: $mail_backlog of $((2 * (orders_after - orders_before)))"
        if (( mail_drain > 0 && mail_backlog > 0 )); then
            measure_mail_drain "$one_store_file"
        fi
    else
        echo "run (b): checkouts spread over $spread_stores stores, in turn"
        run_checkouts spread "$scratch/spread/spread.catalog"
        spread=$result
    fi
    stop_process "$server_pid" "storefleet serve" 10
    server_pid=""
done

# -- Summary -------------------------------------------------------------------------

echo
echo "== summary =="
printf '%-20s %12s %8s %8s %17s %17s %13s %10s\n' "run" "checkouts/s" "p50 ms" "p99 ms" "server CPU ms/co" "client CPU ms/co" "fdatasync/co" "fsync/co"
for line in "$one" "$spread"; do
    [[ -z "$line" ]] && continue
    if [[ "$line" == "$one" ]]; then label="(a) one store"; else label="(b) $spread_stores stores"; fi
    printf '%-20s %12s %8s %8s %17s %17s %13s %10s\n' "$label" "$(field "$line" per_second)" "$(field "$line" p50_ms)" \
        "$(field "$line" p99_ms)" "$(field "$line" server_cpu_ms)" "$(field "$line" client_cpu_ms)" \
        "$(field "$line" fdatasync_per_checkout)" "$(field "$line" fsync_per_checkout)"
done
echo "co: one completed checkout. fdatasync and fsync: calls by the server per checkout (SQLite's unix VFS calls fdatasync; the file mail transport calls fsync)"
echo "SQLite synchronous: $synchronous"
if [[ -n "$one" ]]; then
    per_second=$(field "$one" per_second)
    verdict=$(awk -v v="$per_second" -v t="$target_per_second" 'BEGIN { print (v >= t) ? "met" : "MISSED" }')
    echo "target: at least $target_per_second completed checkouts/s into one store: $per_second ($verdict)"
    # What the CPU time alone allows when the server and the client have every core.
    echo "CPU-bound estimate for run (a) on $(nproc) idle cores: $(awk -v s="$(field "$one" server_cpu_ms)" -v c="$(field "$one" client_cpu_ms)" -v n="$(nproc)" \
        'BEGIN { printf "%.0f checkouts/s with this client, %.0f for the server alone", n * 1000 / (s + c), n * 1000 / s }')"
fi
if [[ -n "$mail_drain_result" ]]; then
    echo "mail delivery after run (a), no checkouts running: $(field "$mail_drain_result" mails_per_second) mails/s," \
        "$(field "$mail_drain_result" cpu_ms_per_mail) ms of server CPU per mail; each order queues 2 mails"
    if [[ -n "$one" && -n "$(field "$one" fsync_per_checkout)" ]]; then
        # The file transport calls fsync once per mail and nothing else in the server calls
        # fsync, so fsync/co is the number of mails delivered per checkout during run (a).
        steady=$(awk -v s="$(field "$one" server_cpu_ms)" -v f="$(field "$one" fsync_per_checkout)" \
            -v m="$(field "$mail_drain_result" cpu_ms_per_mail)" -v n="$(nproc)" \
            'BEGIN { c = s + (2 - f) * m; printf "%.3f ms/checkout, %.0f checkouts/s on %d idle cores", c, n * 1000 / c, n }')
        echo "estimate with both mails of every order delivered (run (a) server CPU + undelivered mails × CPU per mail): $steady"
    fi
fi
echo "load average after the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
