#!/usr/bin/env python3
"""Check acknowledged orders against a restarted server and against the store files.

Used by benchmarks/checkout-durability.sh after it killed the server with SIGKILL in the
middle of a checkout run and started it again.

  durability_check.py pages --port P ACKNOWLEDGED...
      GETs every acknowledged order's status page from 127.0.0.1:P and counts those served
      with "Order #N". Prints one "durability-pages" line.

  durability_check.py files --dumps DIR --kill-time T ACKNOWLEDGED...
      Compares the acknowledged orders with the CSV files that the shell script wrote with
      the sqlite3 command-line tool, one set per host in DIR:
        HOST.orders.csv     number,access_token
        HOST.lines.csv      number,product_id,quantity
        HOST.initial.csv    product_id,stock   (before the server first started)
        HOST.remaining.csv  product_id,stock   (after the server stopped)
        HOST.sold.csv       product_id,quantity (sum of order_lines per product)
      Prints the counts, every acknowledged order that is missing or differs, and the stock
      balance per product. Exits with status 1 when an acknowledged order is missing or
      differs, or when a product's stock does not balance or is negative.

ACKNOWLEDGED are the JSON-lines files of checkout_client.py --acknowledged.
"""

import argparse
import csv
import http.client
import json
import os
import sys


def read_acknowledged(paths):
    orders = []
    for path in paths:
        with open(path) as lines:
            for number, line in enumerate(lines, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    orders.append(json.loads(line))
                except json.JSONDecodeError as error:
                    # The client writes a whole line at a time; a cut line means it was killed.
                    sys.exit(f"error: line {number} of {path} is not JSON ({error}); the client was interrupted mid-write")
    return orders


def read_csv(path):
    if not os.path.exists(path):
        sys.exit(f"error: {path} is missing; the sqlite3 dump of this store failed")
    with open(path, newline="") as file:
        return list(csv.reader(file))


def check_pages(options):
    orders = read_acknowledged(options.acknowledged)
    connection = http.client.HTTPConnection("127.0.0.1", options.port, timeout=10)
    served = 0
    failures = []
    for order in orders:
        path = f"/orders/{order['number']}?token={order['token']}"
        connection.request("GET", path, headers={"Host": order["host"]})
        response = connection.getresponse()
        body = response.read()
        if response.status == 200 and f"Order #{order['number']}<".encode() in body:
            served += 1
        else:
            failures.append(f"{order['host']} order {order['number']}: status {response.status}")
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
    connection.close()
    print(f"durability-pages acknowledged={len(orders)} served={served} not_served={len(failures)}")
    for failure in failures[:20]:
        print(f"  not served: {failure}")
    return 0 if not failures else 1


def check_files(options):
    orders = read_acknowledged(options.acknowledged)
    hosts = sorted({order["host"] for order in orders} | set(options.hosts or []))
    problems = []
    stored_total = 0
    unacknowledged_stored = 0
    balance_rows = []

    for host in hosts:
        prefix = os.path.join(options.dumps, host)
        stored = {int(number): token for number, token in read_csv(prefix + ".orders.csv")}
        stored_total += len(stored)
        lines = {}
        for number, product_id, quantity in read_csv(prefix + ".lines.csv"):
            lines.setdefault(int(number), []).append([int(product_id), int(quantity)])

        acknowledged_here = [order for order in orders if order["host"] == host]
        acknowledged_numbers = set()
        for order in acknowledged_here:
            number = order["number"]
            acknowledged_numbers.add(number)
            if number not in stored:
                problems.append(f"{host} order {number}: acknowledged but missing from the orders table")
                continue
            if stored[number] != order["token"]:
                problems.append(f"{host} order {number}: stored with another access token")
            bought = sorted(order["lines"])
            if sorted(lines.get(number, [])) != bought:
                problems.append(f"{host} order {number}: lines {sorted(lines.get(number, []))} stored, {bought} bought")
        unacknowledged_stored += len(set(stored) - acknowledged_numbers)

        initial = {int(product): int(stock) for product, stock in read_csv(prefix + ".initial.csv")}
        remaining = {int(product): int(stock) for product, stock in read_csv(prefix + ".remaining.csv")}
        sold = {int(product): int(quantity) for product, quantity in read_csv(prefix + ".sold.csv")}
        for product in sorted(initial):
            row = (host, product, initial[product], sold.get(product, 0), remaining.get(product))
            balance_rows.append(row)
            if row[4] is None:
                problems.append(f"{host} product {product}: missing after the run")
            elif row[3] + row[4] != row[2] or row[4] < 0:
                problems.append(f"{host} product {product}: sold {row[3]} + remaining {row[4]} != initial {row[2]}")
        for product in sorted(set(sold) - set(initial)):
            problems.append(f"{host} product {product}: sold {sold[product]} but not in the products before the run")

    before_kill = sum(1 for order in orders if order["acknowledged_at"] < options.kill_time)
    missing = sum(1 for problem in problems if "missing from the orders table" in problem)
    differing = sum(1 for problem in problems if "stored with another" in problem or "lines" in problem)
    unbalanced = sum(1 for problem in problems if "product" in problem and "order" not in problem)

    print(
        "durability-files"
        f" acknowledged={len(orders)} acknowledged_before_kill={before_kill}"
        f" acknowledged_after_restart={len(orders) - before_kill}"
        f" stored={stored_total} missing={missing} differing={differing}"
        f" stored_not_acknowledged={unacknowledged_stored} unbalanced_products={unbalanced}"
    )
    print("stock balance per product (initial = sold + remaining):")
    print(f"  {'host':<28} {'product':>7} {'initial':>8} {'sold':>6} {'remaining':>9}  balance")
    for host, product, start, sold_count, left in balance_rows:
        verdict = "ok" if left is not None and sold_count + left == start and left >= 0 else "WRONG"
        print(f"  {host:<28} {product:>7} {start:>8} {sold_count:>6} {left if left is not None else '-':>9}  {verdict}")
    for problem in problems[:50]:
        print(f"problem: {problem}")
    if len(problems) > 50:
        print(f"problem: … and {len(problems) - 50} more")
    return 0 if not problems else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    pages = commands.add_parser("pages", help="GET every acknowledged order's status page")
    pages.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    pages.add_argument("acknowledged", nargs="+")
    files = commands.add_parser("files", help="compare acknowledged orders with the sqlite3 dumps")
    files.add_argument("--dumps", required=True, help="folder of HOST.*.csv files")
    files.add_argument("--kill-time", type=float, required=True, help="Unix time of the SIGKILL, in seconds")
    files.add_argument("--host", dest="hosts", action="append", help="a host to check even without acknowledged orders; repeat for more")
    files.add_argument("acknowledged", nargs="+")
    options = parser.parse_args()
    sys.exit(check_pages(options) if options.command == "pages" else check_files(options))


if __name__ == "__main__":
    main()
