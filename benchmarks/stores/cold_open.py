#!/usr/bin/env python3
"""Measure, from outside a running storefleet server, what opening a store file costs.

The script sends GET / to store hosts one at a time over one keep-alive connection and
times each exchange. It first requests every store once, in slug order. That caches each
host's resolution and each store's last-active write, and it leaves the last `--pool`
stores open. Then, in each round, it requests a batch of stores that are not open (the
cold pass) and then the same batch again (the warm pass, all of them now open). The
difference between the two passes is the cost of a pool miss: opening the file, the
pragmas and the schema version check. Because the pool is full, it also includes closing
the least recently used store.

With --server-pid and --store-map, the script reads /proc/PID/fd before each cold pass and
after each warm pass. It fails unless none of the batch's files were open before and all
of them were open after, because otherwise the two passes would not measure a miss.

Output: one line per round and a final line, `storebench-cold key=value ...`, in
milliseconds.
"""

import argparse
import http.client
import os
import statistics
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    parser.add_argument("--stores", type=int, default=1000, help="number of stores store-0001 ... (default 1000)")
    parser.add_argument("--pool", type=int, default=256, help="the server's max open stores (default 256)")
    parser.add_argument("--batch", type=int, default=200, help="stores per round; at most --pool (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of cold and warm passes (default 3)")
    parser.add_argument("--domain", default="localhost", help="platform domain (default localhost)")
    parser.add_argument("--server-pid", type=int, help="server process, to check its open store files")
    parser.add_argument("--store-map", help="file of 'slug id' lines, to check open store files")
    arguments = parser.parse_args()

    if arguments.batch > arguments.pool:
        parser.error(f"--batch {arguments.batch} exceeds --pool {arguments.pool}: the warm pass would miss too; use a batch of at most {arguments.pool}")
    needed = arguments.batch * arguments.rounds + arguments.pool
    if needed > arguments.stores:
        parser.error(f"--batch x --rounds + --pool is {needed}, more than --stores {arguments.stores}: a cold batch would include open stores; lower --batch or --rounds")
    if (arguments.server_pid is None) != (arguments.store_map is None):
        parser.error("--server-pid and --store-map go together")
    return arguments


def slug(number):
    return f"store-{number:04d}"


class Client:
    """One keep-alive connection to the server; `get` returns the exchange's duration."""

    def __init__(self, port, domain):
        self.port = port
        self.domain = domain
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def get(self, store_slug):
        host = f"{store_slug}.{self.domain}"
        started = time.perf_counter_ns()
        self.connection.request("GET", "/", headers={"Host": host})
        response = self.connection.getresponse()
        body = response.read()
        elapsed_ms = (time.perf_counter_ns() - started) / 1e6
        if response.status != 200:
            sys.exit(f"error: GET / on {host} returned {response.status}, expected 200; check the server log")
        if not body:
            sys.exit(f"error: GET / on {host} returned an empty body; check the server log")
        if response.will_close:
            # A new connection would add its set-up time to one pass only.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        return elapsed_ms


def open_store_ids(pid):
    """Return the ids of the stores whose store.sqlite the process has open."""
    folder = f"/proc/{pid}/fd"
    ids = set()
    for name in os.listdir(folder):
        try:
            target = os.readlink(os.path.join(folder, name))
        except OSError:
            continue  # closed between listdir and readlink
        if target.endswith("/store.sqlite"):
            ids.add(os.path.basename(os.path.dirname(target)))
    return ids


def read_store_map(path):
    mapping = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) == 2:
                mapping[fields[0]] = fields[1]
    return mapping


def check_open(arguments, store_map, slugs, expect_open, moment):
    if arguments.server_pid is None:
        return
    open_ids = open_store_ids(arguments.server_pid)
    wrong = [s for s in slugs if (store_map[s] in open_ids) != expect_open]
    if wrong:
        state = "closed" if expect_open else "open"
        sys.exit(f"error: {len(wrong)} stores of the batch were {state} {moment}, such as {wrong[0]}; "
                 f"the pool does not behave as a least-recently-used pool of {arguments.pool}, so the passes measure no miss")


def main():
    arguments = parse_arguments()
    store_map = read_store_map(arguments.store_map) if arguments.store_map else {}
    client = Client(arguments.port, arguments.domain)

    # Priming: every host resolved and every store touched within the last minute, and
    # the pool holding the last `pool` stores.
    for number in range(1, arguments.stores + 1):
        client.get(slug(number))

    cold_all = []
    warm_all = []
    for round_index in range(arguments.rounds):
        first = round_index * arguments.batch + 1
        slugs = [slug(n) for n in range(first, first + arguments.batch)]

        check_open(arguments, store_map, slugs, expect_open=False, moment="before the cold pass")
        cold = [client.get(s) for s in slugs]
        warm = [client.get(s) for s in slugs]
        check_open(arguments, store_map, slugs, expect_open=True, moment="after the warm pass")

        cold_all += cold
        warm_all += warm
        print(f"storebench-cold-round round={round_index + 1} stores={slugs[0]}..{slugs[-1]}"
              f" cold_median_ms={statistics.median(cold):.3f} warm_median_ms={statistics.median(warm):.3f}"
              f" cold_mean_ms={statistics.fmean(cold):.3f} warm_mean_ms={statistics.fmean(warm):.3f}")

    mean_cost = statistics.fmean(cold_all) - statistics.fmean(warm_all)
    median_cost = statistics.median(cold_all) - statistics.median(warm_all)
    print(f"storebench-cold requests={len(cold_all)} checked_fds={'yes' if arguments.server_pid else 'no'}"
          f" cold_mean_ms={statistics.fmean(cold_all):.3f} warm_mean_ms={statistics.fmean(warm_all):.3f}"
          f" cold_median_ms={statistics.median(cold_all):.3f} warm_median_ms={statistics.median(warm_all):.3f}"
          f" open_cost_mean_ms={mean_cost:.3f} open_cost_median_ms={median_cost:.3f}")


if __name__ == "__main__":
    main()
