-- wrk script that spreads GET / over the hosts store-0001.<domain> … store-NNNN.<domain>,
-- one host per request, so that with more stores than the server's pool of open stores
-- most requests make the server open a store file (and close the least recently used).
--
-- Settings, from the environment:
--   BENCH_STORES        number of stores, 1 to 9999 (default 1000)
--   BENCH_SPREAD_ORDER  round-robin (default) or random
--   BENCH_DOMAIN        platform domain (default localhost)
--   BENCH_THREADS       wrk's thread count, to give each thread its own starting point
--
-- round-robin walks the stores in order, each thread from its own offset. A cycle longer
-- than the pool is the worst case for least-recently-used eviction: every request misses.
-- random picks a store uniformly per request, so about pool/stores of requests hit.

local folder = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(folder .. "report.lua")

local store_count = tonumber(os.getenv("BENCH_STORES") or "1000")
local order = os.getenv("BENCH_SPREAD_ORDER") or "round-robin"
local domain = os.getenv("BENCH_DOMAIN") or "localhost"
local thread_total = tonumber(os.getenv("BENCH_THREADS") or "1")

if store_count == nil or store_count < 1 or store_count > 9999 then
    error("BENCH_STORES must be a number from 1 to 9999, not " .. tostring(os.getenv("BENCH_STORES")))
end
if order ~= "round-robin" and order ~= "random" then
    error("BENCH_SPREAD_ORDER must be round-robin or random, not " .. order)
end

-- setup runs in wrk's main Lua state, once per thread, before that thread's init.
local threads_seen = 0
function setup(thread)
    thread:set("thread_index", threads_seen)
    threads_seen = threads_seen + 1
end

local requests = {}
local position = 0

function init(args)
    -- Formatting the requests once keeps the Lua work per request to a table lookup.
    for i = 1, store_count do
        local host = string.format("store-%04d.%s", i, domain)
        requests[i] = wrk.format("GET", "/", { Host = host })
    end
    local index = thread_index or 0
    position = math.floor(index * store_count / math.max(thread_total, 1)) % store_count
    math.randomseed(os.time() + index * 7919)
end

function request()
    if order == "random" then
        return requests[math.random(store_count)]
    end
    position = position % store_count + 1
    return requests[position]
end
