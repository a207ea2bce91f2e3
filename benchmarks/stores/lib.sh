# Functions for benchmarks/stores.sh and the checkout benchmarks, on top of those of
# benchmarks/common.sh, which it sources. Source it after setting package_root; sourcing
# only defines functions.

source "$package_root/benchmarks/common.sh"

# Builds storefleet in release mode unless BENCH_SKIP_BUILD=1, and sets storefleet to the
# binary's path.
build_storefleet() {
    if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
        echo "building storefleet in release mode"
        (cd "$package_root" && swift build -c release --product storefleet)
    fi
    storefleet="$(cd "$package_root" && swift build -c release --show-bin-path)/storefleet"
    if [[ ! -x "$storefleet" ]]; then
        echo "error: $storefleet not found; build it with swift build -c release --product storefleet" >&2
        exit 1
    fi
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
