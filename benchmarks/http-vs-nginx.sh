#!/usr/bin/env bash
# Compares storefleet-bench-server with nginx serving the same 11 KB page on 127.0.0.1.
#
# nginx sends a file from disk (the page that our server rendered once, written with
# --dump); our server renders the page through the template engine on every request. Each
# server gets a warm-up and then one wrk run with keep-alive connections, one server after
# the other, and the script prints requests/s, p50 and p99 for each and the ratios
# ours/nginx against the targets. Both servers run only for the length of the script.
#
# Settings, from the environment:
#   BENCH_DURATION     seconds of each measured wrk run (default 15)
#   BENCH_WARMUP       seconds of the wrk warm-up before each run (default 3)
#   BENCH_CONNECTIONS  keep-alive connections wrk opens (default 64)
#   BENCH_THREADS      wrk threads (default 2)
#   BENCH_ROUNDS       rounds of nginx-then-ours runs; the summary takes medians (default 1)
#   BENCH_EVENT_LOOPS  --event-loops for our server (default: its own, one per core)
#   BENCH_WORKERS      --workers for our server (default: its own)
#   BENCH_SKIP_BUILD   1 to use the release binary already built
#   BENCH_PATH         the path our server is measured on (default /, the page rendered
#                      per request); /rendered-once sends the same bytes rendered at
#                      start-up, which measures the HTTP server without the page work
#
# Usage: benchmarks/http-vs-nginx.sh   (from any folder; needs root or wrk and nginx
# installed, because it installs them with apt-get when they are missing)

set -euo pipefail

duration=${BENCH_DURATION:-15}
warmup=${BENCH_WARMUP:-3}
connections=${BENCH_CONNECTIONS:-64}
threads=${BENCH_THREADS:-2}
rounds=${BENCH_ROUNDS:-1}
our_path=${BENCH_PATH:-/}
if [[ "$our_path" != "/" && "$our_path" != "/rendered-once" ]]; then
    echo "error: BENCH_PATH must be / or /rendered-once, not \"$our_path\"" >&2
    exit 2
fi

# Targets: our requests/s at least this fraction of nginx's, our p99 at most this multiple.
target_throughput_ratio=0.6
target_p99_ratio=2.0

package_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$package_root/benchmarks/common.sh"

# -- Tools ---------------------------------------------------------------------------

nginx_binary=$(command -v nginx || true)
if [[ -z "$nginx_binary" && -x /usr/sbin/nginx ]]; then
    nginx_binary=/usr/sbin/nginx
fi
if ! command -v wrk >/dev/null || [[ -z "$nginx_binary" ]]; then
    echo "installing wrk and nginx from the Debian packages"
    # NOTE: where an init system runs, the nginx package starts the system nginx on
    # port 80. This script neither uses nor stops that service.
    apt-get update
    apt-get install -y wrk nginx
    nginx_binary=$(command -v nginx || echo /usr/sbin/nginx)
fi

build_bench_server

# -- Scratch folder and cleanup ------------------------------------------------------

scratch=$(mktemp -d /tmp/storefleet-http-bench.XXXXXX)
# nginx workers may run as an unprivileged user when the master is root, so they must be
# able to read the page.
chmod 755 "$scratch"
nginx_pid=""
server_pid=""
wrk_pid=""

cleanup() {
    stop_process "$wrk_pid" wrk
    stop_process "$nginx_pid" nginx
    stop_process "$server_pid" storefleet-bench-server
    rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# -- The page ------------------------------------------------------------------------

mkdir -p "$scratch/www"
"$bench_server" --dump "$scratch/www/index.html" >/dev/null
chmod 644 "$scratch/www/index.html"
page_bytes=$(wc -c < "$scratch/www/index.html")

# -- nginx ---------------------------------------------------------------------------

nginx_port=$(free_loopback_port)
cat > "$scratch/nginx.conf" <<EOF
# Written by benchmarks/http-vs-nginx.sh for one run; deleted when the run ends.
daemon off;
worker_processes auto;
pid $scratch/nginx.pid;
error_log $scratch/nginx-error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65s;
    # nginx closes a keep-alive connection after 1000 requests by default. Our server
    # has no such limit, so it is raised here to compare the same traffic.
    keepalive_requests 1000000;
    types {
        text/html html;
    }
    default_type application/octet-stream;
    client_body_temp_path $scratch/client-body;
    proxy_temp_path $scratch/proxy;
    fastcgi_temp_path $scratch/fastcgi;
    uwsgi_temp_path $scratch/uwsgi;
    scgi_temp_path $scratch/scgi;

    server {
        listen 127.0.0.1:$nginx_port;
        root $scratch/www;
        index index.html;
    }
}
EOF

"$nginx_binary" -p "$scratch" -e "$scratch/nginx-error.log" -c "$scratch/nginx.conf" &
nginx_pid=$!
wait_for_http "http://127.0.0.1:$nginx_port/" nginx "$nginx_pid" "$scratch/nginx-error.log"

# -- Our server ----------------------------------------------------------------------

server_arguments=(--port 0)
[[ -n "${BENCH_EVENT_LOOPS:-}" ]] && server_arguments+=(--event-loops "$BENCH_EVENT_LOOPS")
[[ -n "${BENCH_WORKERS:-}" ]] && server_arguments+=(--workers "$BENCH_WORKERS")
"$bench_server" "${server_arguments[@]}" > "$scratch/server.out" 2> "$scratch/server.err" &
server_pid=$!
server_port=$(wait_for_listening_line "$scratch/server.out" "$server_pid" "$scratch/server.err")
wait_for_http "http://127.0.0.1:$server_port/" storefleet-bench-server "$server_pid" "$scratch/server.err"

# Both must send the same body, or the comparison means nothing.
curl -fsS "http://127.0.0.1:$nginx_port/" -o "$scratch/from-nginx.html"
curl -fsS "http://127.0.0.1:$server_port$our_path" -o "$scratch/from-ours.html"
if ! cmp -s "$scratch/from-nginx.html" "$scratch/from-ours.html"; then
    echo "error: nginx and storefleet-bench-server sent different pages; check the --dump output" >&2
    exit 1
fi

# -- Runs ----------------------------------------------------------------------------

print_machine_summary
warn_if_busy
echo "page: $page_bytes bytes, the same from both servers"
echo "wrk: $connections keep-alive connections, $threads threads, ${duration}s per run after a ${warmup}s warm-up, $rounds round(s)"
echo

# Runs wrk against one URL, prints its output, and stores the figures in result_rps,
# result_p50_ms, result_p99_ms and result_cpu_us: the server's CPU time (user plus
# system, all its processes) per request. CPU time per request depends far less on
# other load on the machine than requests/s does.
measure() {
    local name=$1 url=$2 output=$3
    shift 3
    local pids=("$@")
    run_wrk /dev/null -t "$threads" -c "$connections" -d "${warmup}s" "$url"

    local load_before ticks_before ticks_after
    load_before=$(cut -d " " -f 1-3 /proc/loadavg)
    ticks_before=$(cpu_ticks "${pids[@]}")
    run_wrk "$output" -t "$threads" -c "$connections" -d "${duration}s" --latency "$url"
    ticks_after=$(cpu_ticks "${pids[@]}")

    echo "== $name =="
    cat "$output"
    read_wrk_figures "$output"
    result_cpu_us=$(awk -v ticks=$((ticks_after - ticks_before)) -v hz="$(getconf CLK_TCK)" \
        -v requests="$(wrk_request_count "$output")" 'BEGIN { printf "%.1f", ticks / hz * 1e6 / requests }')
    echo "server CPU time per request: $result_cpu_us µs"
    # Other processes on the machine skew the figures; the load average shows them.
    echo "load average before: $load_before, after: $(cut -d " " -f 1-3 /proc/loadavg)"
    echo
}

# The median of the numbers given as arguments.
median() {
    printf '%s\n' "$@" | sort -g | awk '{ values[NR] = $1 }
        END { print (NR % 2) ? values[(NR + 1) / 2] : (values[NR / 2] + values[NR / 2 + 1]) / 2 }'
}

nginx_name="nginx $("$nginx_binary" -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto"
ours_name="storefleet-bench-server ${server_arguments[*]}"
[[ "$our_path" != "/" ]] && ours_name+=" $our_path"
nginx_rps=() nginx_p50=() nginx_p99=() nginx_cpu=()
ours_rps=() ours_p50=() ours_p99=() ours_cpu=()
# nginx's work happens in its worker processes, children of the master.
nginx_pids=("$nginx_pid" $(pgrep -P "$nginx_pid" || true))

# Alternating the servers round by round spreads a change in the machine's load over both.
for round in $(seq 1 "$rounds"); do
    (( rounds > 1 )) && echo "---- round $round of $rounds ----"
    measure "$nginx_name" "http://127.0.0.1:$nginx_port/" "$scratch/wrk-nginx-$round.txt" "${nginx_pids[@]}"
    nginx_rps+=("$result_rps") nginx_p50+=("$result_p50_ms") nginx_p99+=("$result_p99_ms")
    nginx_cpu+=("$result_cpu_us")

    measure "$ours_name" "http://127.0.0.1:$server_port$our_path" "$scratch/wrk-ours-$round.txt" "$server_pid"
    ours_rps+=("$result_rps") ours_p50+=("$result_p50_ms") ours_p99+=("$result_p99_ms")
    ours_cpu+=("$result_cpu_us")
done

# -- Summary -------------------------------------------------------------------------

if (( rounds > 1 )); then
    echo "per round, ours/nginx:"
    for index in $(seq 0 $((rounds - 1))); do
        awk -v round=$((index + 1)) -v nginx_rps="${nginx_rps[$index]}" -v ours_rps="${ours_rps[$index]}" \
            -v nginx_p99="${nginx_p99[$index]}" -v ours_p99="${ours_p99[$index]}" \
            -v nginx_cpu="${nginx_cpu[$index]}" -v ours_cpu="${ours_cpu[$index]}" \
            'BEGIN { printf "  round %d: requests/s %.0f / %.0f = %.2f, p99 %.3f / %.3f ms = %.2f, CPU µs per request %.1f / %.1f = %.2f\n",
                round, ours_rps, nginx_rps, ours_rps / nginx_rps, ours_p99, nginx_p99, ours_p99 / nginx_p99,
                ours_cpu, nginx_cpu, ours_cpu / nginx_cpu }'
    done
    echo "medians over $rounds rounds:"
fi

awk -v nginx_rps="$(median "${nginx_rps[@]}")" -v nginx_p50="$(median "${nginx_p50[@]}")" \
    -v nginx_p99="$(median "${nginx_p99[@]}")" -v ours_rps="$(median "${ours_rps[@]}")" \
    -v ours_p50="$(median "${ours_p50[@]}")" -v ours_p99="$(median "${ours_p99[@]}")" \
    -v nginx_cpu="$(median "${nginx_cpu[@]}")" -v ours_cpu="$(median "${ours_cpu[@]}")" \
    -v target_rps="$target_throughput_ratio" -v target_p99="$target_p99_ratio" '
    BEGIN {
        printf "%-26s %12s %10s %10s %18s\n", "server", "requests/s", "p50 ms", "p99 ms", "CPU µs/request"
        printf "%-26s %12.0f %10.3f %10.3f %16.1f\n", "nginx", nginx_rps, nginx_p50, nginx_p99, nginx_cpu
        printf "%-26s %12.0f %10.3f %10.3f %16.1f\n", "storefleet-bench-server", ours_rps, ours_p50, ours_p99, ours_cpu
        rps_ratio = ours_rps / nginx_rps
        p99_ratio = ours_p99 / nginx_p99
        printf "ratio ours/nginx requests/s: %.2f (target >= %.1f: %s)\n", rps_ratio, target_rps, (rps_ratio >= target_rps) ? "met" : "MISSED"
        printf "ratio ours/nginx p99:        %.2f (target <= %.1f: %s)\n", p99_ratio, target_p99, (p99_ratio <= target_p99) ? "met" : "MISSED"
        printf "ratio ours/nginx CPU time per request: %.2f (no target; it varies least with other load)\n", ours_cpu / nginx_cpu
    }'
