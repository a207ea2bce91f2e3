-- Prints wrk's totals as one line of key=value fields that benchmarks/stores.sh reads.
-- Latencies in wrk's statistics are in microseconds and the duration is in microseconds;
-- the line gives milliseconds and seconds. Loaded by the other scripts in this folder.

function done(summary, latency, requests)
    local seconds = summary.duration / 1e6
    local errors = summary.errors
    io.write(string.format(
        "storebench-result requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
            .. " connect_errors=%d read_errors=%d write_errors=%d timeouts=%d non_2xx_3xx=%d\n",
        summary.requests, seconds, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
