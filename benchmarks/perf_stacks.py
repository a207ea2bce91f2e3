"""Reading `perf script` call stacks, shared by the profile summaries of the benchmarks.

Input everywhere: the output of `perf script -F comm,ip,sym` for a
`perf record --call-graph dwarf` profile. Swift names are mangled, so the patterns that
the summaries match are fragments of mangled names.
"""

import sys


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


def load_samples(argv, script_name):
    """Read the samples of the file named on the command line, or exit with a message."""
    if len(argv) != 2:
        sys.exit(f"usage: {script_name} PERF_SCRIPT_OUTPUT")
    with open(argv[1], encoding="utf-8", errors="replace") as lines:
        samples = list(read_samples(lines))
    if not samples:
        sys.exit(f"error: {argv[1]} contains no samples; record with perf record --call-graph dwarf and print with perf script -F comm,ip,sym")
    return samples


def contains(frames, patterns):
    return any(pattern in frame for frame in frames for pattern in patterns)


def print_overlapping_rows(samples, rows):
    """Print, for each (label, patterns) row, the share of samples whose stack contains
    one of the patterns. A row whose label starts with "  of which" counts among the
    samples of the nearest row above it that does not."""
    parent = []
    for label, patterns in rows:
        if label.startswith("  of which"):
            selected = [s for s in samples if contains(s, parent) and contains(s, patterns)]
        else:
            parent = patterns
            selected = [s for s in samples if contains(s, patterns)]
        print(f"  {100 * len(selected) / len(samples):5.1f}%  {label}")
