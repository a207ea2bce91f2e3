#!/usr/bin/env python3
"""Print which share of a server profile's samples fall inside chosen functions.

Input: the output of `perf script -F comm,ip,sym` for a `perf record --call-graph dwarf`
profile of storefleet serve. A sample counts toward a row when any frame of its stack
contains the row's pattern, so the rows overlap (the pool's open contains the schema
read, for example) and do not add up to 100%.
"""

import sys

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


def read_samples(lines):
    """Yield each sample as a list of frame names, innermost first."""
    frames = []
    for line in lines:
        if not line.strip():
            if frames:
                yield frames
            frames = []
        elif line[0] in " \t":
            parts = line.split(None, 1)
            frames.append(parts[1].strip() if len(parts) > 1 else "")
        elif frames:
            # A header line without a blank line before it starts the next sample.
            yield frames
            frames = []
    if frames:
        yield frames


def contains(frames, patterns):
    return any(pattern in frame for frame in frames for pattern in patterns)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: profile_summary.py PERF_SCRIPT_OUTPUT")
    with open(sys.argv[1], encoding="utf-8", errors="replace") as lines:
        samples = list(read_samples(lines))
    if not samples:
        sys.exit(f"error: {sys.argv[1]} contains no samples; record with perf record --call-graph dwarf and print with perf script -F comm,ip,sym")

    print(f"{len(samples)} samples; share of samples whose stack contains:")
    for index, (label, patterns) in enumerate(ROWS):
        if label.startswith("  of which"):
            # A sub-row counts among the samples of the row above it.
            parent_patterns = ROWS[index - 1][1]
            selected = [s for s in samples if contains(s, parent_patterns) and contains(s, patterns)]
        else:
            selected = [s for s in samples if contains(s, patterns)]
        print(f"  {100 * len(selected) / len(samples):5.1f}%  {label}")


if __name__ == "__main__":
    main()
