# Functions shared by the benchmark scripts. Source it after setting package_root.

# Builds storefleet-bench-server in release mode and sets bench_server to its path.
# BENCH_SKIP_BUILD=1 only looks the binary up.
build_bench_server() {
    if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
        echo "building storefleet-bench-server in release mode"
        (cd "$package_root" && swift build -c release --product storefleet-bench-server)
    fi
    bench_server="$(cd "$package_root" && swift build -c release --show-bin-path)/storefleet-bench-server"
    if [[ ! -x "$bench_server" ]]; then
        echo "error: $bench_server not found; build it with swift build -c release --product storefleet-bench-server" >&2
        exit 1
    fi
}

# Prints a TCP port that is free on 127.0.0.1 right now. Another process could take it
# before the caller binds it, and then the caller fails to start with an error.
free_loopback_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Sends SIGTERM to a process this script started, waits up to SECONDS (default 5) for it
# to exit, then sends SIGKILL. Does nothing for an empty pid or a process that is already
# gone. Usage: stop_process PID NAME [SECONDS]
stop_process() {
    local pid=$1 name=$2 seconds=${3:-5}
    [[ -z "$pid" ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && (( waited < seconds * 10 )); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "warning: $name (pid $pid) did not stop within $seconds s of SIGTERM; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Waits up to 10 s for storefleet-bench-server to print its listening line into a file,
# then prints the port. Exits with the server's stderr when it dies or takes too long.
wait_for_listening_line() {
    local output=$1 pid=$2 errors=$3
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's#^listening http://127\.0\.0\.1:\([0-9]*\)/$#\1#p' "$output" 2>/dev/null || true)
        [[ -n "$port" ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: storefleet-bench-server exited before it listened; its stderr follows" >&2
            cat "$errors" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "error: storefleet-bench-server printed no listening line within 10 s; its stderr follows" >&2
        cat "$errors" >&2
        exit 1
    fi
    echo "$port"
}

# Waits up to 10 s until a URL returns a 2xx status. Exits with the server's log when its
# process dies or the time runs out.
wait_for_http() {
    local url=$1 name=$2 pid=$3 log=$4
    for _ in $(seq 1 100); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: $name exited before it served $url; its log follows" >&2
            cat "$log" >&2 || true
            exit 1
        fi
        sleep 0.1
    done
    echo "error: $name did not serve $url within 10 s; its log follows" >&2
    cat "$log" >&2 || true
    exit 1
}

# Prints the facts a benchmark record needs about this machine and its tools. With a
# folder argument it also names the file system that folder is on.
print_machine_summary() {
    echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
        "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, kernel $(uname -r)"
    if [[ -n "${1:-}" ]]; then
        echo "disk: data folder on $(df -T "$1" | awk 'NR == 2 { print $2 }') ($(df "$1" | awk 'NR == 2 { print $1 }'))"
    fi
    echo "swift: $(swift --version 2>&1 | head -1)"
    if command -v wrk >/dev/null; then
        echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')"
    fi
    if [[ -n "${nginx_binary:-}" ]]; then
        echo "nginx: $("$nginx_binary" -v 2>&1 | sed 's/^nginx version: //')"
    fi
    echo "load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
}

# Converts a wrk duration such as 812.00us, 1.25ms or 2.10s to milliseconds.
wrk_duration_to_ms() {
    awk -v value="$1" 'BEGIN {
        number = value + 0
        if (value ~ /us$/) print number / 1000
        else if (value ~ /ms$/) print number
        else if (value ~ /m$/) print number * 60000
        else if (value ~ /s$/) print number * 1000
        else print number
    }'
}

# Reads requests/s and the 50% and 99% latencies from the output of `wrk --latency`
# into result_rps, result_p50_ms and result_p99_ms. Warns about socket errors and
# non-2xx/3xx responses, which make the figures worthless.
read_wrk_figures() {
    local output=$1
    result_rps=$(awk '/^Requests\/sec:/ { print $2 }' "$output")
    result_p50_ms=$(wrk_duration_to_ms "$(awk '$1 == "50%" { print $2 }' "$output")")
    result_p99_ms=$(wrk_duration_to_ms "$(awk '$1 == "99%" { print $2 }' "$output")")
    if [[ -z "$result_rps" || -z "$result_p50_ms" || -z "$result_p99_ms" ]]; then
        echo "error: could not read requests/s and latencies from the wrk output in $output" >&2
        exit 1
    fi
    if grep -q -e '^  Socket errors' -e '^  Non-2xx or 3xx responses' "$output"; then
        echo "warning: wrk saw errors (see above); the figures of this run are not comparable" >&2
    fi
}

# Warns when the 1-minute load average is above half the core count: other processes
# then take CPU time from the servers and from wrk, and the figures vary from run to run.
warn_if_busy() {
    local load cores
    load=$(cut -d " " -f 1 /proc/loadavg)
    cores=$(nproc)
    if awk -v load="$load" -v cores="$cores" 'BEGIN { exit !(load > cores / 2) }'; then
        echo "warning: the load average is $load on $cores cores before the run; other processes will skew the figures" >&2
    fi
}

# Runs wrk with the given arguments, its output going to the file named first. wrk runs
# in the background under `wait`, so SIGTERM or SIGINT reaches the script's trap at once
# instead of after the run. The trap stops wrk through wrk_pid.
run_wrk() {
    local output=$1
    shift
    wrk "$@" > "$output" &
    wrk_pid=$!
    wait "$wrk_pid"
    wrk_pid=""
}

# Prints the CPU time, user plus system, in clock ticks (getconf CLK_TCK), that the given
# processes have used so far, all threads included. Children count only by their own pid.
cpu_ticks() {
    local total=0 pid fields
    for pid in "$@"; do
        [[ -r "/proc/$pid/stat" ]] || continue
        # Fields after the parenthesised command name: utime is the 12th, stime the 13th.
        fields=$(sed 's/^.*) //' "/proc/$pid/stat")
        total=$((total + $(awk '{ print $12 + $13 }' <<< "$fields")))
    done
    echo "$total"
}

# Prints the number of requests a wrk run completed, from its "N requests in" line.
wrk_request_count() {
    awk '$2 == "requests" && $3 == "in" { print $1 }' "$1"
}
