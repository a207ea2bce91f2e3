# Functions for benchmarks/checkouts.sh and benchmarks/checkout-durability.sh. Source it
# after setting package_root; it sources benchmarks/stores/lib.sh, and through it
# benchmarks/common.sh, for the helpers the other benchmarks share (build_storefleet,
# free_loopback_port, stop_process, wait_for_storefleet_port, print_machine_summary,
# warn_if_busy, field, cpu_ms).

source "$package_root/benchmarks/stores/lib.sh"

# Checks that the tools the checkout benchmarks call are installed.
require_tools() {
    local tool package
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            package=$tool
            [[ "$tool" == perf ]] && package=linux-perf
            echo "error: $tool is not installed; install it with 'apt-get install $package' and run again" >&2
            exit 1
        fi
    done
}

# Creates the stores PREFIX-1 … PREFIX-COUNT with sample products in data folder DATA,
# JOBS at a time, and fails with the creation log when one is missing afterwards.
create_sample_stores() {
    local data=$1 prefix=$2 count=$3 jobs=$4 log=$5
    mkdir -p "$data"
    seq -f "$prefix-%g" 1 "$count" |
        xargs -P "$jobs" -I '{}' "$storefleet" stores create --data "$data" --slug '{}' --name 'Checkout bench {}' \
            --owner-email 'owner@{}.example' --password bench-password-1 --sample-products >> "$log" 2>&1 || true
    # A parallel creation can fail with SQLITE_BUSY on the catalog (see benchmarks/stores.sh).
    # Creation is all or nothing, so each missing store is created again, one at a time.
    local slug
    for slug in $(seq -f "$prefix-%g" 1 "$count"); do
        if [[ -z "$(store_id_of "$data" "$slug")" ]]; then
            "$storefleet" stores create --data "$data" --slug "$slug" --name "Checkout bench $slug" \
                --owner-email "owner@$slug.example" --password bench-password-1 --sample-products >> "$log" 2>&1 || {
                echo "error: could not create store $slug; the creation log follows" >&2
                tail -20 "$log" >&2
                exit 1
            }
        fi
    done
}

# Prints the store id of SLUG in data folder DATA, or nothing.
store_id_of() {
    local data=$1 slug=$2
    "$storefleet" stores list --data "$data" | awk -v slug="$slug" '$1 == slug { print $2 }'
}

# Prints the path of the store file of SLUG in DATA, and fails when there is none.
store_file_of() {
    local data=$1 slug=$2 id
    id=$(store_id_of "$data" "$slug")
    if [[ -z "$id" || ! -f "$data/stores/$id/store.sqlite" ]]; then
        echo "error: no store file for $slug in $data" >&2
        exit 1
    fi
    echo "$data/stores/$id/store.sqlite"
}

# Sets the stock of every product in a store file, before the server opens it. The SQL
# expression may refer to the product's columns, such as id.
set_stock() {
    local file=$1 expression=$2
    sqlite3 "$file" "UPDATE products SET stock = $expression"
}

# Appends "HOST PRODUCT_ID SLUG" lines for the visible products of a store file.
write_catalog_lines() {
    local file=$1 host=$2
    sqlite3 -separator ' ' "$file" "SELECT '$host', id, slug FROM products WHERE visible = 1 ORDER BY id"
}

# Prints the CPU time in milliseconds that process PID and its direct children have used,
# all threads included (the Python client runs its shoppers in child processes).
process_tree_cpu_ms() {
    local pid=$1 total=0 child
    [[ -r "/proc/$pid/stat" ]] && total=$(cpu_ms "$pid")
    for child in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
        if [[ -r "/proc/$child/stat" ]]; then
            total=$(( total + $(cpu_ms "$child") ))
        fi
    done
    echo "$total"
}
