-- wrk script that walks Storefleet's guest checkout, the same steps as checkout_client.py:
-- GET /products/<slug>, POST /cart/add, GET /checkout, POST /checkout (details), POST
-- /checkout/place, GET the status page. A checkout counts as completed when that page
-- returns 200 and shows "Order #N". The 303 after the add is not followed.
--
-- Each wrk thread must own exactly one connection (wrk -t N -c N): the steps of a checkout
-- are kept per thread, and wrk hands this script responses without saying which connection
-- they came from. Each checkout starts as a new visitor with no cookies.
--
-- Settings, from the environment:
--   BENCH_CATALOG   file of "HOST PRODUCT_ID SLUG" lines (required); checkouts go to the
--                   hosts in the file's order, thread i starting at host i
--   BENCH_WARMUP    seconds after the start whose checkouts are not counted (default 0)
--   BENCH_DURATION  seconds of the measured window after the warm-up (default 15)
--   BENCH_MAX_QUANTITY  maximum items of the one cart line (default 3)
--   BENCH_THREADS   wrk's thread count, so that the threads take turns over the hosts
--
-- done() prints one "checkout-result" line of key=value fields and one "checkout-failure"
-- line per kind of failure.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } checkout_timespec;
int clock_gettime(int clock_id, checkout_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("checkout_timespec")

-- Seconds on the monotonic clock, which every thread reads alike.
local function now()
    ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
    return tonumber(timespec.tv_sec) + tonumber(timespec.tv_nsec) / 1e9
end

local warmup = tonumber(os.getenv("BENCH_WARMUP") or "0")
local duration = tonumber(os.getenv("BENCH_DURATION") or "15")
local max_quantity = tonumber(os.getenv("BENCH_MAX_QUANTITY") or "3")
local thread_total = tonumber(os.getenv("BENCH_THREADS") or "1")
local catalog_path = os.getenv("BENCH_CATALOG")
if catalog_path == nil then
    error("BENCH_CATALOG must name a file of 'HOST PRODUCT_ID SLUG' lines")
end
if warmup == nil or duration == nil or duration <= 0 or max_quantity == nil or max_quantity < 1
    or thread_total == nil or thread_total < 1 then
    error("BENCH_WARMUP must be a number, BENCH_DURATION a positive number, BENCH_MAX_QUANTITY and BENCH_THREADS at least 1")
end

-- setup runs in wrk's main Lua state once per thread, before that thread's init.
local threads = {}
local run_start = now()
function setup(thread)
    thread:set("thread_index", #threads)
    thread:set("run_start", run_start)
    table.insert(threads, thread)
end

-- Per-thread state. Globals, so that done() can read them with thread:get.
completed = 0
acknowledged = 0
latencies_ms = {}
failures = {}

local hosts = {}
local catalogs = {}
local host_position = 0
local host_step = 1
local step = nil
local cookies = nil
local checkout_started = 0
local csrf_token = nil
local product_id = nil
local quantity = nil
local shipping_method = nil
local payment_method = nil
local hidden_body = nil
local order_number = nil
local order_location = nil
local host = nil

function init(args)
    local file = io.open(catalog_path, "r")
    if file == nil then
        error("cannot open BENCH_CATALOG " .. catalog_path)
    end
    for line in file:lines() do
        local line_host, id, slug = line:match("^(%S+)%s+(%d+)%s+(%S+)%s*$")
        if line_host ~= nil then
            if catalogs[line_host] == nil then
                catalogs[line_host] = {}
                table.insert(hosts, line_host)
            end
            table.insert(catalogs[line_host], { id = tonumber(id), slug = slug })
        end
    end
    file:close()
    if #hosts == 0 then
        error(catalog_path .. " lists no 'HOST PRODUCT_ID SLUG' lines")
    end
    -- Thread i takes hosts i, i + threads, i + 2 × threads …, so together the threads walk
    -- every host in turn.
    host_position = thread_index or 0
    host_step = thread_total
    math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
end

local function fail(reason)
    failures[reason] = (failures[reason] or 0) + 1
    step = nil
end

local function url_encode(text)
    return (tostring(text):gsub("[^%w%-%._~]", function(character)
        return string.format("%%%02X", string.byte(character))
    end))
end

local function html_unescape(text)
    text = text:gsub("&#39;", "'"):gsub("&#x27;", "'"):gsub("&quot;", '"')
    text = text:gsub("&lt;", "<"):gsub("&gt;", ">"):gsub("&amp;", "&")
    return text
end

-- Returns the text between each plain occurrence of `prefix` and the next `"`, from
-- position `init` on. A Lua pattern without an anchor tries a match at every position of a
-- 27 KB page, and that made this client cost as much CPU time as the Python one. A plain
-- find of the literal prefix is fast.
local function attribute_values(body, prefix, init)
    local values = {}
    local position = init or 1
    while true do
        local first, last = body:find(prefix, position, true)
        if first == nil then
            return values
        end
        local closing = body:find('"', last + 1, true)
        if closing == nil then
            return values
        end
        values[#values + 1] = body:sub(last + 1, closing - 1)
        position = closing + 1
    end
end

local function first_value(body, prefix, init)
    local _, last = body:find(prefix, init or 1, true)
    if last == nil then
        return nil
    end
    local closing = body:find('"', last + 1, true)
    return closing and body:sub(last + 1, closing - 1)
end

local function form_body(fields)
    local parts = {}
    for _, field in ipairs(fields) do
        table.insert(parts, url_encode(field[1]) .. "=" .. url_encode(field[2]))
    end
    return table.concat(parts, "&")
end

local function cookie_header()
    local parts = {}
    for name, value in pairs(cookies) do
        table.insert(parts, name .. "=" .. value)
    end
    return table.concat(parts, "; ")
end

local function remember_cookie(headers)
    local value = headers["Set-Cookie"] or headers["set-cookie"]
    if value == nil then
        return
    end
    local name, content = value:match("^%s*([^=;%s]+)=([^;]*)")
    if name == nil then
        return
    end
    if content == "" or value:lower():find("max%-age=0") then
        cookies[name] = nil
    else
        cookies[name] = content
    end
end

local function headers_for_request(with_body)
    local headers = { Host = host }
    local cookie = cookie_header()
    if cookie ~= "" then
        headers["Cookie"] = cookie
    end
    if with_body then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    end
    return headers
end

local function start_checkout()
    host = hosts[(host_position % #hosts) + 1]
    host_position = host_position + host_step
    local products = catalogs[host]
    local product = products[math.random(#products)]
    product_id = product.id
    quantity = math.random(max_quantity)
    cookies = {}
    checkout_started = now()
    step = "product page"
    return wrk.format("GET", "/products/" .. product.slug, headers_for_request(false))
end

function request()
    if step == nil or step == "product page" then
        return start_checkout()
    elseif step == "add to cart" then
        return wrk.format("POST", "/cart/add", headers_for_request(true), form_body({
            { "csrf_token", csrf_token }, { "product_id", product_id }, { "quantity", quantity },
        }))
    elseif step == "checkout form" then
        return wrk.format("GET", "/checkout", headers_for_request(false))
    elseif step == "review" then
        local email = string.format("shopper-%d-%d@example.com", thread_index or 0, math.random(1, 2 ^ 30))
        return wrk.format("POST", "/checkout", headers_for_request(true), form_body({
            { "csrf_token", csrf_token }, { "action", "review" }, { "email", email },
            { "shipping_name", "Ada Shopper" }, { "shipping_line1", "1 Main Street" }, { "shipping_line2", "" },
            { "shipping_city", "Springfield" }, { "shipping_postal_code", "62701" }, { "shipping_region", "IL" },
            { "shipping_country", "US" }, { "billing_same", "1" }, { "notes", "" },
            { "shipping_method", shipping_method }, { "payment_method", payment_method },
        }))
    elseif step == "place order" then
        return wrk.format("POST", "/checkout/place", headers_for_request(true), hidden_body)
    elseif step == "confirmation" then
        return wrk.format("GET", order_location, headers_for_request(false))
    end
    error("unknown checkout step " .. tostring(step))
end

function response(status, headers, body)
    if step == "product page" then
        if status ~= 200 then return fail("product page: status " .. status) end
        remember_cookie(headers)
        csrf_token = first_value(body, 'name="csrf_token" value="')
        local page_product = first_value(body, 'name="product_id" value="')
        if page_product == nil then return fail("product page: sold out (no add-to-cart form)") end
        if csrf_token == nil then return fail("product page: no CSRF token") end
        if tonumber(page_product) ~= product_id then return fail("product page: another product's id") end
        -- The page's form token is tied to the visitor cookie; browsing starts no session.
        if cookies["storefleet_form"] == nil and cookies["storefleet_session"] == nil then
            return fail("product page: no visitor or session cookie")
        end
        csrf_token = html_unescape(csrf_token)
        step = "add to cart"
    elseif step == "add to cart" then
        local location = headers["Location"] or headers["location"]
        if status == 422 then return fail("add to cart: 422, not enough stock") end
        if status ~= 303 or location ~= "/cart?added=" .. product_id then
            return fail("add to cart: status " .. status .. ", location " .. tostring(location))
        end
        remember_cookie(headers)
        if cookies["storefleet_cart"] == nil then return fail("add to cart: no cart cookie") end
        step = "checkout form"
    elseif step == "checkout form" then
        if status ~= 200 then return fail("checkout form: status " .. status) end
        remember_cookie(headers)
        shipping_method = first_value(body, 'name="shipping_method" value="')
        local payments = attribute_values(body, 'name="payment_method" value="')
        if shipping_method == nil or #payments == 0 then return fail("checkout form: no shipping or payment method") end
        payment_method = payments[math.random(#payments)]
        step = "review"
    elseif step == "review" then
        if status ~= 200 then return fail("review: status " .. status) end
        remember_cookie(headers)
        local form_start = body:find('<form class="review-form"', 1, true)
        if form_start == nil then return fail("review: no review form") end
        local fields = {}
        local has_fingerprint = false
        local position = form_start
        while true do
            local _, last = body:find('<input type="hidden" name="', position, true)
            if last == nil then break end
            local name, value, after = body:match('^([^"]*)" value="([^"]*)"()', last + 1)
            if name == nil then break end
            table.insert(fields, { html_unescape(name), html_unescape(value) })
            if name == "fingerprint" then has_fingerprint = true end
            position = after
        end
        if not has_fingerprint then return fail("review: no fingerprint") end
        hidden_body = form_body(fields)
        step = "place order"
    elseif step == "place order" then
        local location = headers["Location"] or headers["location"] or ""
        local number = location:match("^/orders/(%d+)%?token=[%w_%-]+&placed=1$")
        if status ~= 303 or number == nil then
            return fail("place order: status " .. status .. ", location " .. location)
        end
        remember_cookie(headers)
        order_number = number
        order_location = location
        step = "confirmation"
    elseif step == "confirmation" then
        if status ~= 200 then return fail("confirmation: status " .. status) end
        if not body:find("Order #" .. order_number .. "<", 1, true) then
            return fail("confirmation: page does not show the order number")
        end
        local finished = now()
        acknowledged = acknowledged + 1
        local window_start = run_start + warmup
        if checkout_started >= window_start and finished <= window_start + duration then
            completed = completed + 1
            latencies_ms[#latencies_ms + 1] = (finished - checkout_started) * 1000
        end
        step = nil
    end
end

function done(summary, latency, requests)
    local all = {}
    local total_completed, total_acknowledged = 0, 0
    local total_failures = {}
    for _, thread in ipairs(threads) do
        total_completed = total_completed + thread:get("completed")
        total_acknowledged = total_acknowledged + thread:get("acknowledged")
        for _, value in ipairs(thread:get("latencies_ms")) do
            all[#all + 1] = value
        end
        for reason, count in pairs(thread:get("failures")) do
            total_failures[reason] = (total_failures[reason] or 0) + count
        end
    end
    table.sort(all)
    local function percentile(fraction)
        if #all == 0 then return 0 / 0 end
        local index = math.max(1, math.min(#all, math.ceil(fraction * #all)))
        return all[index]
    end
    local failed = 0
    for _, count in pairs(total_failures) do failed = failed + count end
    local errors = summary.errors
    io.write(string.format(
        "checkout-result completed=%d duration_s=%.3f per_second=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f"
            .. " acknowledged=%d failed=%d requests=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
        total_completed, duration, total_completed / duration, percentile(0.50), percentile(0.99),
        all[#all] or 0 / 0, total_acknowledged, failed, summary.requests,
        errors.connect, errors.read, errors.write, errors.timeout))
    for reason, count in pairs(total_failures) do
        io.write(string.format("checkout-failure count=%d reason=%s\n", count, reason))
    end
end
