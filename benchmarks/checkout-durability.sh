#!/usr/bin/env bash
# Checks that every order acknowledged to a shopper survives `kill -9` of the server.
#
# The script creates BENCH_STORES stores with sample products in a fresh data folder and
# sets their stock: two products per store get BENCH_LOW_STOCK items, so that they sell out
# during the run, and the others 100,000. It starts `storefleet serve` on 127.0.0.1. Then
# benchmarks/checkout/checkout_client.py runs BENCH_CLIENTS concurrent shoppers that walk
# the whole checkout with 1 or 2 cart lines: product page, add to cart, checkout form,
# review, place order, confirmation. The client records each order whose confirmation
# page was served. After BENCH_KILL_AFTER seconds the script kills the server with SIGKILL, starts
# it again on the same data folder and port, and the shoppers carry on until
# BENCH_DURATION seconds have passed in all.
#
# Then it checks, and prints:
#   - that the restarted server serves the confirmation page of every acknowledged order;
#   - from the store files, read with the sqlite3 tool after a clean stop: acknowledged
#     orders, orders stored, acknowledged orders missing (must be 0) or stored with other
#     lines or another access token (must be 0), and PRAGMA integrity_check;
#   - the stock balance of every product: sold (sum of order_lines) + remaining = initial.
# It exits with status 1 when a check fails.
#
# A SIGKILL ends the process but not the operating system, so what this shows is that a
# commit is in the operating system's cache before the confirmation is sent. It says
# nothing about power loss, which needs PRAGMA synchronous=FULL.
#
# Settings, from the environment:
#   BENCH_DURATION    seconds the shoppers run, the restart included (default 12)
#   BENCH_KILL_AFTER  seconds after the start when the server is killed (default 4)
#   BENCH_CLIENTS     concurrent shoppers, one keep-alive connection each (default 8)
#   BENCH_STORES      stores the shoppers take turns over (default 2)
#   BENCH_LOW_STOCK   stock of the two products per store that sell out (default 40)
#   BENCH_TMPDIR      folder for the data folder (default /tmp)
#   BENCH_KEEP        1 to keep the data folder and logs, and print where they are
#   BENCH_SKIP_BUILD  1 to use the release binary already built
#
# Usage: benchmarks/checkout-durability.sh   (from any folder; needs python3 and sqlite3)

set -euo pipefail

duration=${BENCH_DURATION:-12}
kill_after=${BENCH_KILL_AFTER:-4}
clients=${BENCH_CLIENTS:-8}
store_count=${BENCH_STORES:-2}
low_stock=${BENCH_LOW_STOCK:-40}
domain=localhost

package_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
scripts="$package_root/benchmarks/checkout"
source "$scripts/lib.sh"

for setting in duration kill_after clients store_count low_stock; do
    if ! [[ "${!setting}" =~ ^[0-9]+$ ]] || (( ${!setting} < 1 )); then
        echo "error: the setting $setting must be a whole number of at least 1, not '${!setting}'" >&2
        exit 64
    fi
done
if (( kill_after + 3 > duration )); then
    echo "error: BENCH_DURATION ($duration s) must be at least BENCH_KILL_AFTER ($kill_after s) + 3, to leave time for the restart" >&2
    exit 64
fi

require_tools python3 sqlite3 curl
build_storefleet

# -- Scratch folder and cleanup ------------------------------------------------------

scratch=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/storefleet-checkout-durability.XXXXXX")
data="$scratch/data"
server_pid=""
client_pid=""

cleanup() {
    stop_process "$client_pid" "checkout client" 10
    stop_process "$server_pid" "storefleet serve" 10
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then
        echo "kept the data folder and logs in $scratch"
    else
        rm -rf "$scratch"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- Stores --------------------------------------------------------------------------

echo "creating $store_count stores with sample products"
create_sample_stores "$data" durable "$store_count" 2 "$scratch/create.log"
mkdir -p "$scratch/dumps"
hosts=()
: > "$scratch/catalog"
for number in $(seq 1 "$store_count"); do
    slug="durable-$number"
    host="$slug.$domain"
    hosts+=("$host")
    file=$(store_file_of "$data" "$slug")
    set_stock "$file" "CASE WHEN id IN (SELECT id FROM products WHERE visible = 1 ORDER BY id LIMIT 2) THEN $low_stock ELSE 100000 END"
    sqlite3 -csv "$file" "SELECT id, stock FROM products ORDER BY id" > "$scratch/dumps/$host.initial.csv"
    write_catalog_lines "$file" "$host" >> "$scratch/catalog"
done

# -- Server --------------------------------------------------------------------------

port=$(free_loopback_port)

start_server() {
    "$storefleet" serve --data "$data" --host 127.0.0.1 --port "$port" --root "$package_root" --no-demo \
        >> "$scratch/server.out" 2>> "$scratch/server.log" &
    server_pid=$!
    # wait_for_storefleet_port reads the whole file; each start appends its own line, so
    # the restart is recognised by the line count.
    local lines_before=$1 waited=0
    while (( $(grep -c '^Storefleet is running at' "$scratch/server.out" || true) <= lines_before )); do
        if ! kill -0 "$server_pid" 2>/dev/null; then
            echo "error: storefleet serve exited before it listened on port $port; its log follows" >&2
            tail -20 "$scratch/server.log" >&2
            exit 1
        fi
        if (( waited >= 200 )); then
            echo "error: storefleet serve did not listen on port $port within 20 s; its log follows" >&2
            tail -20 "$scratch/server.log" >&2
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
}

start_server 0
echo
print_machine_summary "$data"
warn_if_busy
echo "stores: ${hosts[*]}; shoppers: $clients; run: ${duration}s; SIGKILL after ${kill_after}s"
echo

# -- Run with a SIGKILL in the middle -----------------------------------------------

python3 "$scripts/checkout_client.py" --port "$port" --catalog "$scratch/catalog" --clients "$clients" \
    --duration "$duration" --max-lines 2 --max-quantity 3 --request-timeout 5 \
    --acknowledged "$scratch/acknowledged" > "$scratch/client.out" &
client_pid=$!
started=$SECONDS

sleep "$kill_after"
acknowledged_at_kill=$(cat "$scratch"/acknowledged.* 2>/dev/null | wc -l)
kill_time=$(date +%s.%N)
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
echo "killed the server (pid $server_pid) with SIGKILL after $((SECONDS - started))s, $acknowledged_at_kill orders acknowledged by then"
server_pid=""

restart_began=$(date +%s.%N)
start_server 1
echo "restarted the server (pid $server_pid) on port $port in $(awk -v a="$restart_began" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')s"

wait "$client_pid"
client_pid=""
echo
sed 's/^/client: /' "$scratch/client.out"

acknowledged_files=("$scratch"/acknowledged.*)
if [[ ! -s "${acknowledged_files[0]}" ]]; then
    echo "error: no order was acknowledged; the client's output is above and the server log follows" >&2
    tail -20 "$scratch/server.log" >&2
    exit 1
fi

# -- Checks --------------------------------------------------------------------------

status=0
echo
echo "after the restart, GET the confirmation page of every acknowledged order:"
python3 "$scripts/durability_check.py" pages --port "$port" "${acknowledged_files[@]}" | sed 's/^/  /' || status=1

stop_process "$server_pid" "storefleet serve" 10
server_pid=""

echo
echo "store files, read with sqlite3 after the server stopped:"
for number in $(seq 1 "$store_count"); do
    slug="durable-$number"
    host="$slug.$domain"
    file=$(store_file_of "$data" "$slug")
    sqlite3 -csv "$file" "SELECT number, access_token FROM orders ORDER BY number" > "$scratch/dumps/$host.orders.csv"
    sqlite3 -csv "$file" "SELECT o.number, l.product_id, l.quantity FROM order_lines l JOIN orders o ON o.id = l.order_id" \
        > "$scratch/dumps/$host.lines.csv"
    sqlite3 -csv "$file" "SELECT id, stock FROM products ORDER BY id" > "$scratch/dumps/$host.remaining.csv"
    sqlite3 -csv "$file" "SELECT product_id, sum(quantity) FROM order_lines GROUP BY product_id" > "$scratch/dumps/$host.sold.csv"
    integrity=$(sqlite3 "$file" "PRAGMA integrity_check" | tr '\n' ' ')
    echo "  $host: $(wc -l < "$scratch/dumps/$host.orders.csv") orders, integrity_check: $integrity"
    [[ "$integrity" == "ok " ]] || status=1
done
host_arguments=()
for host in "${hosts[@]}"; do host_arguments+=(--host "$host"); done
python3 "$scripts/durability_check.py" files --dumps "$scratch/dumps" --kill-time "$kill_time" "${host_arguments[@]}" \
    "${acknowledged_files[@]}" > "$scratch/files.txt" || status=1
sed 's/^/  /' "$scratch/files.txt"

result=$(grep '^durability-files ' "$scratch/files.txt")
echo
echo "== summary =="
echo "acknowledged orders: $(field "$result" acknowledged) ($(field "$result" acknowledged_before_kill) before the SIGKILL, $(field "$result" acknowledged_after_restart) after the restart)"
echo "orders stored: $(field "$result" stored) ($(field "$result" stored_not_acknowledged) of them not acknowledged: placed while the server was killed or the run ended)"
echo "acknowledged but missing: $(field "$result" missing) (must be 0)"
echo "acknowledged but stored with other lines or token: $(field "$result" differing) (must be 0)"
echo "products whose stock does not balance: $(field "$result" unbalanced_products) (must be 0)"
echo "load average after the run: $(cut -d ' ' -f 1-3 /proc/loadavg)"
if (( status == 0 )); then
    echo "result: every acknowledged order survived the SIGKILL, and stock balances"
else
    echo "result: FAILED (see the problems above)"
fi
exit "$status"
