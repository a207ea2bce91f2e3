#!/usr/bin/env python3
"""Print where a checkout benchmark's server profile spends its samples.

Input: the output of `perf script -F comm,ip,sym` for a `perf record --call-graph dwarf`
profile of storefleet serve during benchmarks/checkouts.sh. Swift names are mangled, so the
patterns below are fragments of mangled names.

The first table gives each sample to one step of the checkout, by the first pattern found
in its stack, so its rows add up to 100%. The second table counts a sample toward every row
whose pattern is in its stack, so those rows overlap.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from perf_stacks import contains, load_samples, print_overlapping_rows  # noqa: E402

# (label, patterns): the checkout's steps, the mail sender and the layers around them.
STEPS = [
    ("POST /checkout/place (placing the order)", ["CheckoutControllerO5place"]),
    ("POST /checkout (quote and review page)", ["CheckoutControllerO6review"]),
    ("GET /checkout (details form)", ["CheckoutControllerO5start"]),
    ("POST /cart/add", ["CartControllerO3add"]),
    ("GET /orders/N (confirmation page)", ["OrderStatusControllerO6status"]),
    ("GET /products/SLUG (product page)", ["StorefrontController"]),
    ("mail delivery to files (StoreMailSender)", ["StoreMailSender"]),
    ("request setup outside the handlers (host, store pool, session, CSRF)", ["ApplicationC6handle"]),
    ("HTTP server (event loops, parsing, writing, worker pool)", ["HTTPServer"]),
]

# Rows that overlap. A row whose label starts with "  of which" counts among the samples
# of the nearest row above it that does not.
LAYERS = [
    ("holding a store's DatabaseQueue lock", ["DatabaseQueueC19withExclusiveAccess"]),
    ("SQLite (any sqlite3 function)", ["sqlite3"]),
    ("  of which committing (writing the WAL)", ["CommitPhase"]),
    ("  of which preparing statements", ["sqlite3_prepare", "sqlite3LockAndPrepare"]),
    ("template rendering (TemplateLibrary.renderBytes)", ["TemplateLibraryC11renderBytes"]),
    ("composing the order mails inside the order's transaction", ["StoreMailComposerV17orderConfirmation", "StoreMailComposerV14newOrderNotice"]),
    ("CheckoutController.availability (shipping and payment methods, every checkout request)", ["CheckoutControllerO12availability"]),
    ("Foundation DateFormatter", ["DateFormatter"]),
    ("request log lines (HTTPServer Logger)", ["HTTPServer6LoggerV"]),
    ("page faults", ["exc_page_fault"]),
    ("scheduler (context switches)", ["finish_task_switch", "__schedule"]),
    ("futex (waiting for or waking a contended lock)", ["futex_"]),
]


def main():
    samples = load_samples(sys.argv, "profile_summary.py")

    print(f"{len(samples)} samples; each sample in the first step whose pattern its stack contains:")
    remaining = samples
    for label, patterns in STEPS:
        selected = [s for s in remaining if contains(s, patterns)]
        remaining = [s for s in remaining if not contains(s, patterns)]
        print(f"  {100 * len(selected) / len(samples):5.1f}%  {label}")
    print(f"  {100 * len(remaining) / len(samples):5.1f}%  other (kernel work outside requests, other threads)")

    print("share of samples whose stack contains (rows overlap):")
    print_overlapping_rows(samples, LAYERS)

if __name__ == "__main__":
    main()
