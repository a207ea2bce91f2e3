#!/usr/bin/env bash
# Holds 10,000 idle keep-alive connections open to storefleet-bench-server on 127.0.0.1
# and checks that the server still serves new requests quickly and stays small.
#
# Each connection sends one GET /ping and then stays idle, well inside the server's idle
# timeout (60 s by default). While they are held, wrk loads the page on a few extra
# connections, and the script reads the server's VmRSS and VmHWM from /proc. The run ends
# by itself in well under two minutes.
#
# Settings, from the environment:
#   BENCH_IDLE_CONNECTIONS  idle connections to hold (default 10000)
#   BENCH_PROBE_DURATION    seconds of the wrk probe while they are held (default 5)
#   BENCH_PROBE_CONNECTIONS connections of the wrk probe (default 8)
#   BENCH_SKIP_BUILD        1 to use the release binary already built
#
# Usage: benchmarks/idle-connections.sh   (needs python3, curl and wrk)

set -euo pipefail

idle_connections=${BENCH_IDLE_CONNECTIONS:-10000}
probe_duration=${BENCH_PROBE_DURATION:-5}
probe_connections=${BENCH_PROBE_CONNECTIONS:-8}

# Target: resident memory with the connections held, in MB of 10^6 bytes.
target_rss_mb=200

package_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$package_root/benchmarks/common.sh"

for tool in python3 curl wrk; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found; install it (Debian: apt-get install -y $tool)" >&2
        exit 1
    fi
done

# Both the server and the client need a descriptor per connection plus their own.
needed_files=$((idle_connections + 256))
hard_limit=$(ulimit -Hn)
if [[ "$hard_limit" != unlimited ]] && (( hard_limit < needed_files )); then
    echo "error: the open-file hard limit is $hard_limit, below the $needed_files this run needs;" \
        "raise it (ulimit -Hn as root) or lower BENCH_IDLE_CONNECTIONS" >&2
    exit 1
fi
ulimit -n "$needed_files"

build_bench_server

scratch=$(mktemp -d /tmp/storefleet-idle-bench.XXXXXX)
server_pid=""
client_pid=""
wrk_pid=""

cleanup() {
    stop_process "$wrk_pid" wrk
    stop_process "$client_pid" idle_client.py
    stop_process "$server_pid" storefleet-bench-server
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints "VmRSS VmHWM" of a process in kB (KiB, as /proc writes them).
read_memory() {
    awk '/^VmRSS:/ { rss = $2 } /^VmHWM:/ { hwm = $2 } END { print rss, hwm }' "/proc/$1/status"
}

# Formats KiB as "N.N MiB (N.N MB)".
format_kib() {
    awk -v kib="$1" 'BEGIN { printf "%.1f MiB (%.1f MB)", kib / 1024, kib * 1.024 / 1000 }'
}

# Waits up to `seconds` for a line starting with `prefix` in the client's output.
wait_for_client_line() {
    local prefix=$1 seconds=$2
    for _ in $(seq 1 $((seconds * 10))); do
        grep -q "^$prefix" "$scratch/client.out" && return 0
        if ! kill -0 "$client_pid" 2>/dev/null; then
            echo "error: idle_client.py exited early; its output follows" >&2
            cat "$scratch/client.out" "$scratch/client.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "error: idle_client.py printed no \"$prefix\" line within $seconds s; its output follows" >&2
    cat "$scratch/client.out" "$scratch/client.err" >&2
    exit 1
}

# -- Server --------------------------------------------------------------------------

"$bench_server" --port 0 > "$scratch/server.out" 2> "$scratch/server.err" &
server_pid=$!
server_port=$(wait_for_listening_line "$scratch/server.out" "$server_pid" "$scratch/server.err")
wait_for_http "http://127.0.0.1:$server_port/ping" storefleet-bench-server "$server_pid" "$scratch/server.err"

print_machine_summary
warn_if_busy
echo

# Prints the kernel's memory for TCP buffers in KiB, from the "mem" pages of TCP in
# /proc/net/sockstat. It covers every socket on the host, not just the server's.
read_tcp_kernel_memory() {
    awk -v page_kib=$(( $(getconf PAGESIZE) / 1024 )) '$1 == "TCP:" {
        for (field = 2; field < NF; field++) if ($field == "mem") print $(field + 1) * page_kib }' /proc/net/sockstat
}

# Runs the wrk probe on / and prints requests/s, p50 and p99 with a label.
probe() {
    local label=$1 output=$2
    run_wrk "$output" -t 1 -c "$probe_connections" -d "${probe_duration}s" --latency \
        "http://127.0.0.1:$server_port/"
    read_wrk_figures "$output"
    printf "%s: requests/s %.0f, p50 %.3f ms, p99 %.3f ms (load average %s)\n" "$label" \
        "$result_rps" "$result_p50_ms" "$result_p99_ms" "$(cut -d " " -f 1 /proc/loadavg)"
}

# A short warm-up, then a probe without idle connections to compare with the one below.
run_wrk /dev/null -t 1 -c "$probe_connections" -d 2s "http://127.0.0.1:$server_port/"
echo "wrk probe: $probe_connections connections, ${probe_duration}s, GET /"
probe "probe before the idle connections" "$scratch/wrk-before.txt"
read -r baseline_rss baseline_hwm <<< "$(read_memory "$server_pid")"
baseline_tcp=$(read_tcp_kernel_memory)
echo "server before the idle connections: VmRSS $(format_kib "$baseline_rss"), VmHWM $(format_kib "$baseline_hwm")"

# -- Idle connections ----------------------------------------------------------------

python3 "$package_root/benchmarks/idle_client.py" --port "$server_port" \
    --connections "$idle_connections" --hold 60 > "$scratch/client.out" 2> "$scratch/client.err" &
client_pid=$!
wait_for_client_line ready 45
sed 's/^/client: /' "$scratch/client.out"

responses=$(sed -n 's/^responses \([0-9]*\) .*/\1/p' "$scratch/client.out")
if [[ "$responses" != "$idle_connections" ]]; then
    echo "warning: only $responses of $idle_connections connections got a 200 response" >&2
fi

# -- Fresh requests while they are held ----------------------------------------------

curl -sS -o /dev/null -w "curl GET / while held: status %{http_code}, %{time_total} s\n" \
    "http://127.0.0.1:$server_port/"
probe "probe while $idle_connections connections are held" "$scratch/wrk-held.txt"

read -r held_rss held_hwm <<< "$(read_memory "$server_pid")"
held_tcp=$(read_tcp_kernel_memory)
server_descriptors=$(ls "/proc/$server_pid/fd" | wc -l)

# -- Close and report ----------------------------------------------------------------

stop_process "$client_pid" idle_client.py
client_pid=""
sed -n 's/^\(still open\|closed\)/client: \1/p' "$scratch/client.out"
sleep 1
read -r after_rss after_hwm <<< "$(read_memory "$server_pid")"

echo
echo "server's open file descriptors with the connections held: $server_descriptors"
echo "server VmRSS with the connections held: $(format_kib "$held_rss")"
echo "server VmHWM (peak) by then:            $(format_kib "$held_hwm")"
echo "server VmRSS after they closed:         $(format_kib "$after_rss")"
echo "kernel TCP buffer memory (whole host), before and held: $(format_kib "$baseline_tcp") -> $(format_kib "$held_tcp")"
awk -v base="$baseline_rss" -v held="$held_rss" -v hwm="$held_hwm" -v n="$idle_connections" -v target="$target_rss_mb" '
    BEGIN {
        printf "memory per idle connection (VmRSS growth / connections): %.1f KiB\n", (held - base) / n
        held_mb = held * 1.024 / 1000
        hwm_mb = hwm * 1.024 / 1000
        printf "target VmRSS <= %d MB with the connections held: %s (%.1f MB; peak %.1f MB)\n", target, (held_mb <= target) ? "met" : "MISSED", held_mb, hwm_mb
    }'
