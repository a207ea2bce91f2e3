#!/usr/bin/env python3
"""Print which share of a server profile's samples fall inside chosen functions.

Input: the output of `perf script -F comm,ip,sym` for a `perf record --call-graph dwarf`
profile of storefleet serve. A sample counts toward a row when any frame of its stack
contains the row's pattern, so the rows overlap (the pool's open contains the schema
read, for example) and do not add up to 100%.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from perf_stacks import load_samples, print_overlapping_rows  # noqa: E402

# Each row: a label and substrings of frame names (Swift names are mangled, so the
# patterns are fragments of the mangled names).
ROWS = [
    ("StoreDatabasePool.open (file open, pragmas, migration check)", ["StoreDatabasePoolC4open"]),
    ("  of which sqlite3InitOne (reading the schema)", ["sqlite3InitOne"]),
    ("StoreDatabasePool.closeEvicted (closing the LRU store)", ["closeEvicted"]),
    ("StorefrontController.productList (queries and page)", ["StorefrontControllerO11productList"]),
    ("StorefrontController.initials(of:)", ["StorefrontControllerO8initials"]),
    ("HostResolver.resolve", ["HostResolverC7resolve"]),
    ("ext4 inode allocation (__ext4_new_inode)", ["__ext4_new_inode"]),
    ("file deletion (do_unlinkat)", ["do_unlinkat"]),
    ("munmap", ["__vm_munmap"]),
    ("contended mutex (__lll_lock_wait or __lll_lock_wake)", ["__lll_lock_wait", "__lll_lock_wake"]),
    ("  of which under sqlite3Malloc or sqlite3_free", ["sqlite3Malloc", "sqlite3_free"]),
]


def main():
    samples = load_samples(sys.argv, "profile_summary.py")

    print(f"{len(samples)} samples; share of samples whose stack contains:")
    print_overlapping_rows(samples, ROWS)

if __name__ == "__main__":
    main()
