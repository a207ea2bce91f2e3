# Functions for benchmarks/stores.sh. Sourcing this file only defines them.

# Sends SIGTERM to a process this script started, waits up to 10 s for it to exit, then
# sends SIGKILL. Does nothing for an empty pid or a process that is already gone.
stop_started_process() {
    local pid=$1 name=$2
    [[ -z "$pid" ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while kill -0 "$pid" 2>/dev/null && (( waited < 100 )); do
        sleep 0.1
        waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "warning: $name (pid $pid) did not stop within 10 s of SIGTERM; sending SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# Waits up to 20 s for `storefleet serve` to print "Storefleet is running at URL" and
# prints the port of that URL. Exits with the server's log when it dies or takes too long.
wait_for_storefleet_port() {
    local output=$1 pid=$2 log=$3
    local port=""
    for _ in $(seq 1 200); do
        port=$(sed -n 's#^Storefleet is running at http://[^/]*:\([0-9][0-9]*\)/$#\1#p' "$output" 2>/dev/null || true)
        [[ -n "$port" ]] && break
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: storefleet serve exited before it started listening; its log follows" >&2
            cat "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    if [[ -z "$port" ]]; then
        echo "error: storefleet serve printed no 'Storefleet is running at' line within 20 s; its log follows" >&2
        cat "$log" >&2
        exit 1
    fi
    echo "$port"
}

# Prints the facts a benchmark record needs about this machine and its tools.
print_machine_summary() {
    echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
        "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) memory, kernel $(uname -r)"
    echo "disk: data folder on $(df -T "$1" | awk 'NR == 2 { print $2 }') ($(df "$1" | awk 'NR == 2 { print $1 }'))"
    echo "swift: $(swift --version 2>&1 | head -1)"
    echo "wrk: $(wrk -v 2>&1 | head -1 | awk '{ print $2 }')"
    echo "load average before the runs: $(cut -d ' ' -f 1-3 /proc/loadavg)"
}

# Warns when the 1-minute load average is above half the core count: other processes then
# take CPU time from the server and from wrk, and the figures vary from run to run.
warn_if_busy() {
    local load cores
    load=$(cut -d " " -f 1 /proc/loadavg)
    cores=$(nproc)
    if awk -v load="$load" -v cores="$cores" 'BEGIN { exit !(load > cores / 2) }'; then
        echo "warning: the load average is $load on $cores cores; other processes will skew the figures" >&2
    fi
}

# Prints the value of field KEY from a line of key=value fields.
field() {
    local line=$1 key=$2
    tr ' ' '\n' <<< "$line" | sed -n "s/^$key=//p"
}

# Prints a /proc/PID/status field such as VmRSS in MB (10^6 bytes) with one decimal. The
# file gives kB, which are KiB.
status_mb() {
    local pid=$1 key=$2
    awk -v key="$key:" '$1 == key { printf "%.1f", $2 * 1024 / 1e6 }' "/proc/$pid/status"
}

# Prints the number of store.sqlite files that process PID has open.
open_store_files() {
    local pid=$1
    find "/proc/$pid/fd" -lname '*/store.sqlite' 2>/dev/null | wc -l
}

# Until killed, appends "rss_kib open_store_files" for PID to FILE every 0.2 s.
sample_server() {
    local pid=$1 file=$2
    while kill -0 "$pid" 2>/dev/null; do
        echo "$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status" 2>/dev/null) $(open_store_files "$pid")" >> "$file"
        sleep 0.2
    done
}

# Prints the CPU time that process PID has used so far, user plus system, in milliseconds.
# Fields 14 and 15 of /proc/PID/stat count clock ticks; the process name before them is
# in parentheses and may contain spaces, so the fields are counted after the ")".
cpu_ms() {
    local pid=$1
    local ticks_per_second
    ticks_per_second=$(getconf CLK_TCK)
    sed 's/^.*) //' "/proc/$pid/stat" | awk -v hz="$ticks_per_second" '{ printf "%.0f", ($12 + $13) * 1000 / hz }'
}
