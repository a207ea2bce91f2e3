#!/usr/bin/env python3
"""Open many keep-alive connections to a server on 127.0.0.1, send one request on each,
read the responses, then hold the connections idle until SIGTERM or a time limit.

Used by idle-connections.sh. Only the standard library; only 127.0.0.1.

Output, one line per step, on stdout:
    connected N in S s
    responses N with status 200 in S s
    ready N            (the caller measures the server now)
    still open N of M  (after SIGTERM or the time limit: connections the server kept)
    closed M
"""

import argparse
import resource
import selectors
import signal
import socket
import sys
import time

HOST = "127.0.0.1"


def raise_file_limit(needed):
    """Raise the soft RLIMIT_NOFILE to cover `needed` descriptors, or exit saying why."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        sys.exit(f"error: the open-file hard limit is {hard}, but {needed} descriptors are "
                 f"needed; raise it (ulimit -Hn as root) or pass fewer --connections")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def open_connections(port, count, request):
    """Connect `count` sockets one after another and send `request` on each."""
    sockets = []
    for index in range(count):
        try:
            connection = socket.create_connection((HOST, port), timeout=10)
        except OSError as error:
            for opened in sockets:
                opened.close()
            sys.exit(f"error: connection {index + 1} of {count} to {HOST}:{port} failed: {error}")
        connection.sendall(request)
        sockets.append(connection)
    return sockets


def read_responses(sockets, timeout):
    """Read one response from each socket and return how many had status 200.

    A response ends after its header section plus Content-Length bytes, which is all the
    benchmark server sends for /ping.
    """
    selector = selectors.DefaultSelector()
    buffers = {}
    for connection in sockets:
        connection.setblocking(False)
        selector.register(connection, selectors.EVENT_READ)
        buffers[connection] = b""

    ok_count = 0
    pending = len(sockets)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for key, _ in selector.select(timeout=1):
            connection = key.fileobj
            chunk = connection.recv(65536)
            data = buffers[connection] + chunk
            buffers[connection] = data
            header_end = data.find(b"\r\n\r\n")
            if chunk and header_end < 0:
                continue
            if chunk:
                length = 0
                for line in data[:header_end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if len(data) < header_end + 4 + length:
                    continue
                if data.startswith(b"HTTP/1.1 200 "):
                    ok_count += 1
            selector.unregister(connection)
            pending -= 1
    selector.close()
    return ok_count


def count_open(sockets):
    """Return how many sockets the server has not closed: none of them is readable, or a
    readable one still has bytes instead of end-of-file."""
    selector = selectors.DefaultSelector()
    for connection in sockets:
        selector.register(connection, selectors.EVENT_READ)
    closed = 0
    for key, _ in selector.select(timeout=0):
        try:
            if key.fileobj.recv(1) == b"":
                closed += 1
        except OSError:
            closed += 1
    selector.close()
    return len(sockets) - closed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="server port on 127.0.0.1")
    parser.add_argument("--connections", type=int, default=10_000, help="connections to open (default 10000)")
    parser.add_argument("--path", default="/ping", help="path of the one request per connection (default /ping)")
    parser.add_argument("--hold", type=float, default=60.0,
                        help="seconds to hold the connections at most before closing them (default 60)")
    args = parser.parse_args()
    if not 1 <= args.connections <= 60_000:
        sys.exit(f"error: invalid --connections {args.connections}: expected 1...60000")

    stop_requested = False

    def request_stop(signum, frame):
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    raise_file_limit(args.connections + 64)

    request = f"GET {args.path} HTTP/1.1\r\nHost: {HOST}:{args.port}\r\n\r\n".encode()
    started = time.monotonic()
    sockets = open_connections(args.port, args.connections, request)
    print(f"connected {len(sockets)} in {time.monotonic() - started:.2f} s", flush=True)

    started = time.monotonic()
    ok_count = read_responses(sockets, timeout=30)
    print(f"responses {ok_count} with status 200 in {time.monotonic() - started:.2f} s", flush=True)
    print(f"ready {len(sockets)}", flush=True)

    deadline = time.monotonic() + args.hold
    while not stop_requested and time.monotonic() < deadline:
        time.sleep(0.05)

    print(f"still open {count_open(sockets)} of {len(sockets)}", flush=True)
    for connection in sockets:
        connection.close()
    print(f"closed {len(sockets)}", flush=True)


if __name__ == "__main__":
    main()
