#!/usr/bin/env python3
"""Walk Storefleet's guest checkout from many concurrent shoppers on 127.0.0.1.

Each client uses one keep-alive connection and repeats a whole checkout as a new visitor
(no cookies carried over):

1. GET /products/<slug>, which sets a visitor cookie and carries the CSRF token;
2. POST /cart/add (303 to the cart; the redirect is not followed), once per cart line,
   with a GET of each further product's page before its add;
3. GET /checkout, for the shipping and payment method ids;
4. POST /checkout with the details, which returns the review page with the fingerprint;
5. POST /checkout/place with the review form's hidden fields (303 to the status page);
6. GET the status page, the confirmation: a 200 with "Order #N" is an acknowledged order.

A checkout counts as completed only at step 6. The client prints one line of key=value
fields that starts with "checkout-result", then one "checkout-failure" line per kind of
failure. With --acknowledged it appends every acknowledged order as one JSON line, flushed
at once, so the list survives a crash of the client or of the server.

Only the Python 3 standard library is used. Every connection goes to 127.0.0.1.
"""

import argparse
import asyncio
import html
import json
import multiprocessing
import os
import random
import re
import resource
import sys
import time
import urllib.parse

CSRF_PATTERN = re.compile(rb'name="csrf_token" value="([^"]*)"')
PRODUCT_ID_PATTERN = re.compile(rb'name="product_id" value="(\d+)"')
SHIPPING_PATTERN = re.compile(rb'name="shipping_method" value="(\d+)"')
PAYMENT_PATTERN = re.compile(rb'name="payment_method" value="(\d+)"')
HIDDEN_PATTERN = re.compile(rb'<input type="hidden" name="([^"]*)" value="([^"]*)"')
ORDER_PATH_PATTERN = re.compile(r"^/orders/(\d+)\?token=([A-Za-z0-9_-]+)&placed=1$")

# The shopper's details. The sample stores' shipping method delivers to every country, and
# a US address needs a state.
DETAILS = [
    ("shipping_name", "Ada Shopper"),
    ("shipping_line1", "1 Main Street"),
    ("shipping_line2", ""),
    ("shipping_city", "Springfield"),
    ("shipping_postal_code", "62701"),
    ("shipping_region", "IL"),
    ("shipping_country", "US"),
    ("billing_same", "1"),
    ("notes", ""),
]


class CheckoutFailed(Exception):
    """A step returned something other than what a successful checkout returns."""

    def __init__(self, step, detail):
        super().__init__(f"{step}: {detail}")
        self.step = step
        self.detail = detail


class ConnectionLost(Exception):
    """The server closed the connection or could not be reached."""


class HTTPConnection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1:port."""

    def __init__(self, port, timeout):
        self.port = port
        self.timeout = timeout
        self.reader = None
        self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, host, cookies, body=None):
        """Send one request and return (status, headers, body). Headers are a list of
        (lower-case name, value) pairs, since Set-Cookie may repeat."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, host, cookies, body), self.timeout)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError) as error:
            await self.close()
            raise ConnectionLost(f"{method} {path}: {type(error).__name__}: {error}") from None

    async def _exchange(self, method, path, host, cookies, body):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
        if cookies:
            lines.append("Cookie: " + "; ".join(f"{name}={value}" for name, value in cookies.items()))
        payload = b""
        if body is not None:
            payload = urllib.parse.urlencode(body).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
            lines.append(f"Content-Length: {len(payload)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)

        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip().lower(), value.strip()))

        content = b""
        if any(name == "transfer-encoding" and "chunked" in value.lower() for name, value in headers):
            content = await self._read_chunked()
        else:
            length = next((int(value) for name, value in headers if name == "content-length"), 0)
            if length:
                content = await self.reader.readexactly(length)
        if any(name == "connection" and value.lower() == "close" for name, value in headers):
            await self.close()
        return status, headers, content

    async def _read_chunked(self):
        parts = []
        while True:
            size_line = await self.reader.readuntil(b"\r\n")
            size = int(size_line.split(b";", 1)[0], 16)
            if size == 0:
                # Trailer section: lines until an empty one.
                while await self.reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def header(headers, name):
    return next((value for key, value in headers if key == name), None)


def update_cookies(cookies, headers):
    for name, value in headers:
        if name != "set-cookie":
            continue
        pair, *attributes = value.split(";")
        cookie_name, _, cookie_value = pair.strip().partition("=")
        expired = any(attribute.strip().lower() == "max-age=0" for attribute in attributes)
        if expired or not cookie_value:
            cookies.pop(cookie_name, None)
        else:
            cookies[cookie_name] = cookie_value


def first_match(pattern, content, step, what):
    match = pattern.search(content)
    if match is None:
        raise CheckoutFailed(step, f"no {what} in the page")
    return html.unescape(match.group(1).decode())


class Statistics:
    def __init__(self):
        self.completed = 0
        self.acknowledged = 0
        self.latencies = []
        self.failures = {}
        self.lost_connections = 0
        self.started = 0

    def fail(self, key):
        self.failures[key] = self.failures.get(key, 0) + 1


async def checkout(connection, host, products, options, rng):
    """Run one checkout as a new visitor; return the acknowledged order as a dict."""
    cookies = {}
    count = rng.randint(1, min(options.max_lines, len(products)))
    chosen = rng.sample(products, count)
    bought = []
    csrf = None

    for product_id, slug in chosen:
        status, headers, content = await connection.request("GET", f"/products/{slug}", host, cookies)
        if status != 200:
            raise CheckoutFailed("product page", f"status {status}")
        update_cookies(cookies, headers)
        page_product = PRODUCT_ID_PATTERN.search(content)
        if page_product is None:
            raise CheckoutFailed("product page", "sold out (no add-to-cart form)")
        csrf = first_match(CSRF_PATTERN, content, "product page", "CSRF token")
        if int(page_product.group(1)) != product_id:
            raise CheckoutFailed("product page", f"product id {page_product.group(1).decode()} instead of {product_id}")

        quantity = rng.randint(1, options.max_quantity)
        status, headers, content = await connection.request(
            "POST", "/cart/add", host, cookies,
            [("csrf_token", csrf), ("product_id", str(product_id)), ("quantity", str(quantity))],
        )
        if status == 422:
            raise CheckoutFailed("add to cart", "422, not enough stock")
        if status != 303 or header(headers, "location") != f"/cart?added={product_id}":
            raise CheckoutFailed("add to cart", f"status {status}, location {header(headers, 'location')}")
        update_cookies(cookies, headers)
        bought.append([product_id, quantity])

    status, headers, content = await connection.request("GET", "/checkout", host, cookies)
    if status != 200:
        raise CheckoutFailed("checkout form", f"status {status}, location {header(headers, 'location')}")
    update_cookies(cookies, headers)
    shipping = SHIPPING_PATTERN.findall(content)
    payments = PAYMENT_PATTERN.findall(content)
    if not shipping or not payments:
        raise CheckoutFailed("checkout form", "no shipping or payment method offered")

    email = f"shopper-{rng.getrandbits(40):010x}@example.com"
    details = [("csrf_token", csrf), ("action", "review"), ("email", email)] + DETAILS + [
        ("shipping_method", shipping[0].decode()),
        ("payment_method", rng.choice(payments).decode()),
    ]
    status, headers, content = await connection.request("POST", "/checkout", host, cookies, details)
    if status != 200:
        raise CheckoutFailed("review", f"status {status}")
    update_cookies(cookies, headers)
    form_start = content.find(b'<form class="review-form"')
    if form_start < 0:
        raise CheckoutFailed("review", "no review form in the page")
    hidden = [
        (html.unescape(name.decode()), html.unescape(value.decode()))
        for name, value in HIDDEN_PATTERN.findall(content, form_start)
    ]
    if not any(name == "fingerprint" for name, _ in hidden):
        raise CheckoutFailed("review", "no fingerprint in the review form")

    status, headers, content = await connection.request("POST", "/checkout/place", host, cookies, hidden)
    location = header(headers, "location") or ""
    match = ORDER_PATH_PATTERN.match(location)
    if status != 303 or match is None:
        raise CheckoutFailed("place order", f"status {status}, location {location or 'none'}")
    update_cookies(cookies, headers)
    number = int(match.group(1))

    status, headers, content = await connection.request("GET", location, host, cookies)
    if status != 200:
        raise CheckoutFailed("confirmation", f"status {status}")
    if f"Order #{number}<".encode() not in content:
        raise CheckoutFailed("confirmation", f"page does not show order #{number}")
    # Wall-clock time, comparable with the moment benchmarks/checkout-durability.sh kills
    # the server.
    return {"host": host, "number": number, "token": match.group(2), "lines": bought, "acknowledged_at": time.time()}


async def run_client(index, options, catalogs, hosts, statistics, acknowledged_file, measure_from, deadline):
    rng = random.Random(options.seed * 1_000_003 + index)
    connection = HTTPConnection(options.port, options.request_timeout)
    position = index
    loop = asyncio.get_running_loop()
    while loop.time() < deadline + options.overrun:
        host = hosts[position % len(hosts)]
        position += options.clients_total
        started = loop.time()
        statistics.started += 1
        try:
            order = await checkout(connection, host, catalogs[host], options, rng)
        except CheckoutFailed as failure:
            statistics.fail(f"{failure.step}: {failure.detail}")
            continue
        except ConnectionLost as lost:
            statistics.lost_connections += 1
            statistics.fail(f"connection: {str(lost).split(': ', 1)[-1].split(':')[0]}")
            # The server may be restarting: wait a little before a new visitor tries.
            await asyncio.sleep(0.05 + rng.random() * 0.1)
            continue
        finished = loop.time()
        statistics.acknowledged += 1
        if acknowledged_file is not None:
            acknowledged_file.write(json.dumps(order) + "\n")
            acknowledged_file.flush()
        if started >= measure_from and finished <= deadline:
            statistics.completed += 1
            statistics.latencies.append(finished - started)
    await connection.close()


async def run_process(process_index, options, catalogs, hosts):
    statistics = Statistics()
    acknowledged_file = None
    if options.acknowledged:
        acknowledged_file = open(f"{options.acknowledged}.{process_index}", "a", buffering=1)
    loop = asyncio.get_running_loop()
    measure_from = loop.time() + options.warmup
    deadline = measure_from + options.duration
    first = process_index * options.clients_per_process
    tasks = [
        run_client(first + i, options, catalogs, hosts, statistics, acknowledged_file, measure_from, deadline)
        for i in range(options.clients_per_process)
    ]
    await asyncio.gather(*tasks)
    if acknowledged_file is not None:
        acknowledged_file.close()
    return statistics


def process_main(process_index, options, catalogs, hosts, results):
    statistics = asyncio.run(run_process(process_index, options, catalogs, hosts))
    results.put({
        "completed": statistics.completed,
        "acknowledged": statistics.acknowledged,
        "latencies": statistics.latencies,
        "failures": statistics.failures,
        "lost_connections": statistics.lost_connections,
        "started": statistics.started,
    })


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def read_catalogs(path):
    """Read "host product_id slug" lines into {host: [(id, slug), ...]}."""
    catalogs = {}
    with open(path) as lines:
        for number, line in enumerate(lines, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3 or not fields[1].isdigit():
                sys.exit(f"error: line {number} of {path} is {line.strip()!r}; expected 'HOST PRODUCT_ID SLUG'")
            catalogs.setdefault(fields[0], []).append((int(fields[1]), fields[2]))
    if not catalogs:
        sys.exit(f"error: {path} lists no products; expected 'HOST PRODUCT_ID SLUG' lines")
    return catalogs


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    parser.add_argument("--catalog", required=True, help="file of 'HOST PRODUCT_ID SLUG' lines; hosts are used in order, one per checkout and client")
    parser.add_argument("--clients", type=int, default=8, help="concurrent shoppers, one keep-alive connection each (default 8)")
    parser.add_argument("--processes", type=int, default=1, help="client processes that share the shoppers (default 1)")
    parser.add_argument("--duration", type=float, default=15, help="seconds of the measured run (default 15)")
    parser.add_argument("--warmup", type=float, default=0, help="seconds before the measured run whose checkouts are not counted (default 0)")
    parser.add_argument("--overrun", type=float, default=0, help="seconds the shoppers keep going after the measured run, not counted, so that CPU readings at its end see them at work (default 0)")
    parser.add_argument("--max-lines", type=int, default=1, help="maximum cart lines per order; each checkout picks 1 to this many products (default 1)")
    parser.add_argument("--max-quantity", type=int, default=3, help="maximum items per cart line (default 3)")
    parser.add_argument("--request-timeout", type=float, default=10, help="seconds one request may take (default 10)")
    parser.add_argument("--acknowledged", help="append each acknowledged order as a JSON line to FILE.N, N being the process number")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random choices (default 1)")
    options = parser.parse_args()

    if options.clients < 1 or options.processes < 1 or options.clients % options.processes:
        sys.exit(f"error: --clients {options.clients} must be a positive multiple of --processes {options.processes}")
    if options.duration <= 0 or options.warmup < 0 or options.overrun < 0:
        sys.exit("error: --duration must be positive, and --warmup and --overrun at least 0")
    options.clients_per_process = options.clients // options.processes
    options.clients_total = options.clients
    catalogs = read_catalogs(options.catalog)
    hosts = list(catalogs)

    results = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=process_main, args=(i, options, catalogs, hosts, results))
        for i in range(options.processes)
    ]
    for worker in workers:
        worker.start()
    collected = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    failed_workers = [worker.exitcode for worker in workers if worker.exitcode != 0]
    if failed_workers:
        sys.exit(f"error: {len(failed_workers)} client processes failed (exit codes {failed_workers}); see their errors above")

    latencies = sorted(value for result in collected for value in result["latencies"])
    completed = sum(result["completed"] for result in collected)
    failures = {}
    for result in collected:
        for key, count in result["failures"].items():
            failures[key] = failures.get(key, 0) + count
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    print(
        "checkout-result"
        f" completed={completed}"
        f" duration_s={options.duration:.3f}"
        f" per_second={completed / options.duration:.1f}"
        f" p50_ms={percentile(latencies, 0.50) * 1000:.2f}"
        f" p99_ms={percentile(latencies, 0.99) * 1000:.2f}"
        f" max_ms={(latencies[-1] if latencies else float('nan')) * 1000:.2f}"
        f" acknowledged={sum(result['acknowledged'] for result in collected)}"
        f" started={sum(result['started'] for result in collected)}"
        f" failed={sum(failures.values())}"
        f" lost_connections={sum(result['lost_connections'] for result in collected)}"
        f" client_cpu_s={client_cpu:.3f}"
        f" clients={options.clients} processes={options.processes}"
    )
    for key, count in sorted(failures.items(), key=lambda item: -item[1]):
        print(f"checkout-failure count={count} reason={key}")


if __name__ == "__main__":
    main()
