#!/usr/bin/env bash
# Takes screenshots of Storefleet's pages at desktop and phone width, for reviewing how
# they look. Not a benchmark: it is kept beside them because it drives a real server.
#
# Usage: benchmarks/screenshots.sh [--port PORT] [--out DIR]
#
#   --port PORT  port for the server this script starts (default 8097)
#   --out DIR    folder for the PNG files (default /tmp/screens)
#
# Needs a debug build (`swift build`), Debian's `chromium`, `curl` and `python3`.
# The script starts its own server from this work tree on a fresh data folder, so the
# demo store has its 24 sample products. It adds a few products through the admin (one
# with an image, one with a long title, one hidden) so the storefront has a second page.
# It stops the server when it ends. Every address it uses is loopback: 127.0.0.1,
# localhost and names under .localhost.
#
# Chromium takes no cookie on its command line, so admin pages are fetched with curl
# using the logged-in session, saved next to a copy of Public/ under /assets/, and
# served to chromium by a python http.server bound to 127.0.0.1.
set -euo pipefail

port=8097
out=/tmp/screens
while [ $# -gt 0 ]; do
    case "$1" in
        --port) port="$2"; shift 2 ;;
        --out) out="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
        *) echo "screenshots.sh: unknown option $1; use --port PORT or --out DIR" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
binary="$root/.build/debug/storefleet"
[ -x "$binary" ] || { echo "screenshots.sh: $binary is missing; run swift build in $root first" >&2; exit 1; }
command -v chromium >/dev/null || { echo "screenshots.sh: chromium is not installed; run apt-get install -y chromium" >&2; exit 1; }

work="$(mktemp -d /tmp/storefleet-screens.XXXXXX)"
server_pid=""
static_pid=""
cleanup() {
    [ -n "$static_pid" ] && kill "$static_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$out" "$work/site" "$work/chromium"
store="http://demo.localhost:$port"
jar="$work/cookies.txt"

# --- Server -------------------------------------------------------------------------

# A server already on the port would respond in place of ours, with its own data.
if curl -sS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
    echo "screenshots.sh: port $port is already in use; stop what listens there or pass --port with a free port" >&2
    exit 1
fi
"$binary" serve --host 127.0.0.1 --port "$port" --data "$work/data" --root "$root" \
    --log-level warning >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://localhost:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "screenshots.sh: the server stopped; see its log above" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "http://localhost:$port/health" >/dev/null || { cat "$work/server.log" >&2; echo "screenshots.sh: no response from the server on port $port within 10 s; its log is above" >&2; exit 1; }

# --- Helpers ------------------------------------------------------------------------

# shoot NAME URL: one screenshot at 1366x900 and one at phone width, 390x844.
shoot() {
    local name="$1" url="$2" size label
    for size in 1366,900 390,844; do
        if [ "$size" = 1366,900 ]; then label=desktop; else label=phone; fi
        timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
            --user-data-dir="$work/chromium" --window-size="$size" \
            --screenshot="$out/$name-$label.png" "$url" >/dev/null 2>&1 \
            || { echo "screenshots.sh: chromium failed on $url at $size" >&2; exit 1; }
    done
    echo "$name: $url"
}

# csrf_from FILE: the csrf_token of the first form in a saved page.
csrf_from() {
    sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$1" | head -n 1
}

# save NAME PATH [curl options]: fetch an admin page with the session into the static site.
save() {
    local name="$1" path="$2"
    shift 2
    curl -sS -b "$jar" -c "$jar" -o "$work/site/$name.html" -w '%{http_code}' "$@" "$store$path"
}

# --- Log in and add products --------------------------------------------------------

curl -fsS -c "$jar" -o "$work/login.html" "$store/admin/login"
token="$(csrf_from "$work/login.html")"
status="$(curl -sS -b "$jar" -c "$jar" -o /dev/null -w '%{http_code}' \
    --data-urlencode "csrf_token=$token" --data-urlencode "next=/admin" \
    --data-urlencode "email=owner@demo.example" --data-urlencode "password=demo-password" \
    "$store/admin/login")"
[ "$status" = 303 ] || [ "$status" = 302 ] || { echo "screenshots.sh: login returned status $status, expected a redirect (302 or 303)" >&2; exit 1; }

# A product image, drawn as SVG and turned into a PNG by chromium (uploads take raster images).
cat >"$work/image.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" viewBox="0 0 800 600">
  <rect width="800" height="600" fill="#e8efe9"/>
  <path d="M0 430 L170 250 L290 360 L420 180 L600 390 L800 260 L800 600 L0 600 Z" fill="#4f7d6a"/>
  <path d="M0 500 L220 360 L380 470 L560 330 L800 480 L800 600 L0 600 Z" fill="#2f5b4b"/>
  <circle cx="640" cy="140" r="56" fill="#f2c14e"/>
</svg>
SVG
timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --user-data-dir="$work/chromium" --window-size=800,600 \
    --screenshot="$work/image.png" "file://$work/image.svg" >/dev/null 2>&1

save new-form /admin/products/new >/dev/null
# add_product TITLE PRICE STOCK VISIBLE [curl options]
add_product() {
    local title="$1" price="$2" stock="$3" visible="$4"
    shift 4
    local token visible_field=()
    token="$(csrf_from "$work/site/new-form.html")"
    [ "$visible" = 1 ] && visible_field=(-F visible=1)
    local status
    status="$(curl -sS -b "$jar" -c "$jar" -o "$work/add-product.html" -w '%{http_code}' \
        -F "csrf_token=$token" -F "title=$title" -F "price=$price" -F "stock=$stock" \
        -F "description=Added by the screenshot script." "${visible_field[@]}" "$@" \
        "$store/admin/products")"
    if [ "$status" != 303 ] && [ "$status" != 302 ]; then
        echo "screenshots.sh: creating “$title” returned status $status, expected a redirect; errors on the page:" >&2
        sed -n 's/.*class="\(error\|notice error\)"[^>]*>\([^<]*\).*/  \2/p' "$work/add-product.html" >&2
        exit 1
    fi
}
add_product "Mountain Range Print, A3" 24.00 15 1 -F "image=@$work/image.png;type=image/png" -F compare_at_price=30.00
add_product "Ultralight Packable Rain Shell with Adjustable Storm Hood and Pit Zips" 189.00 4 1 -F sku=APP-SHELL-UL-M-BLUE
add_product "Winter Beanie (not yet launched)" 22.00 30 0

# --- Storefront and platform, as a visitor ------------------------------------------

shoot platform-home "http://localhost:$port/"
shoot unknown-store "http://nope.localhost:$port/"
shoot store-home "$store/"
shoot store-page-2 "$store/?page=2"
shoot store-search "$store/search?q=coffee"
shoot store-search-empty "$store/search?q=snowshoes"
shoot product "$store/products/summit-espresso-blend-1-kg"
shoot product-image "$store/products/mountain-range-print-a3"
shoot product-sold-out "$store/products/cold-brew-packs-set-of-4"
shoot store-404 "$store/no-such-page"
shoot admin-login "$store/admin/login"

# --- Admin pages, saved with the session and served from a static copy -------------

cp -R "$root/Public" "$work/site/assets"
cp -R "$work/data/stores/"*/files "$work/site/files" 2>/dev/null || true

# check STATUS EXPECTED WHAT: warns about an unexpected status but keeps going, so the
# screenshot shows the failure page and the other pages are still taken.
failures=0
check() {
    if [ "$1" != "$2" ]; then
        echo "screenshots.sh: warning: $3 returned status $1, expected $2; its screenshot shows that page" >&2
        failures=$((failures + 1))
    fi
}
check "$(save dashboard /admin)" 200 /admin
check "$(save products /admin/products)" 200 /admin/products
check "$(save product-new /admin/products/new)" 200 /admin/products/new
token="$(csrf_from "$work/site/product-new.html")"
check "$(save product-invalid /admin/products -F "csrf_token=$token" -F title= \
    -F price=12,5.0 -F compare_at_price=cheap -F stock=-3 -F visible=1)" 422 "POST /admin/products (invalid)"
# The edit form of the product with an image, which shows the current-image controls.
image_edit="$(sed -n 's|.*href="\(/admin/products/[0-9]*/edit\)">Mountain Range Print.*|\1|p' "$work/site/products.html" | head -n 1)"
check "$(save product-edit "${image_edit:-/admin/products/1/edit}")" 200 "edit form of Mountain Range Print, A3"
check "$(save settings /admin/settings/general)" 200 /admin/settings/general
token="$(csrf_from "$work/site/settings.html")"
check "$(save staff-invited /admin/staff --data-urlencode "csrf_token=$token" \
    --data-urlencode "name=Robin Meyer" --data-urlencode "email=robin@demo.example")" 200 "POST /admin/staff"
check "$(save staff /admin/staff)" 200 /admin/staff
check "$(save admin-404 /admin/no-such-page)" 404 /admin/no-such-page
invitation_url="$(sed -n 's|.*value="\(http[^"]*/admin/invitations/[^"]*\)".*|\1|p' "$work/site/staff-invited.html" | head -n 1)"

# --- A guest buys, then the merchant looks at the order -----------------------------

shopper="$work/shopper-cookies.txt"
# shop NAME PATH [curl options]: fetch a storefront page with the shopper's cookies into the
# static site, because the cart lives behind a cookie that chromium cannot be given.
shop() {
    local name="$1" path="$2"
    shift 2
    curl -sS -b "$shopper" -c "$shopper" -o "$work/site/$name.html" -w '%{http_code}' "$@" "$store$path"
}
# hidden_fields FILE FORM_ACTION: the hidden inputs of that form, URL-encoded for curl --data.
hidden_fields() {
    python3 - "$1" "$2" <<'PY'
import html, re, sys, urllib.parse
page = open(sys.argv[1], encoding="utf-8").read()
form = re.search(r'<form[^>]*action="' + re.escape(sys.argv[2]) + r'".*?</form>', page, re.S)
if form is None:
    sys.exit(f"no form posting to {sys.argv[2]} in {sys.argv[1]}")
pairs = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', form.group(0))
print(urllib.parse.urlencode([(html.unescape(name), html.unescape(value)) for name, value in pairs]))
PY
}

check "$(shop product-page /products/summit-espresso-blend-1-kg)" 200 "product page for the cart"
token="$(csrf_from "$work/site/product-page.html")"
product_id="$(sed -n 's/.*name="product_id" value="\([0-9]*\)".*/\1/p' "$work/site/product-page.html" | head -n 1)"
check "$(shop cart-added /cart/add --data-urlencode "csrf_token=$token" --data "product_id=$product_id&quantity=2")" 303 "POST /cart/add"
check "$(shop cart /cart)" 200 /cart
check "$(shop checkout /checkout)" 200 /checkout
token="$(csrf_from "$work/site/checkout.html")"
shipping_id="$(sed -n 's/.*name="shipping_method" value="\([0-9]*\)".*/\1/p' "$work/site/checkout.html" | head -n 1)"
payment_id="$(sed -n 's/.*name="payment_method" value="\([0-9]*\)".*/\1/p' "$work/site/checkout.html" | head -n 1)"
check "$(shop checkout-invalid /checkout --data-urlencode "csrf_token=$token" \
    --data "action=review&email=ana%40&shipping_name=&shipping_line1=&shipping_city=&shipping_postal_code=&shipping_country=&billing_same=1")" 422 "POST /checkout (invalid)"
check "$(shop checkout-review /checkout --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=ana@example.com" --data-urlencode "shipping_name=Ana Ruiz" \
    --data-urlencode "shipping_line1=Calle Mayor 1" --data-urlencode "shipping_city=Madrid" \
    --data-urlencode "shipping_postal_code=28013" --data-urlencode "shipping_region=Madrid" \
    --data-urlencode "notes=Please ring twice." \
    --data "action=review&shipping_line2=&shipping_country=ES&billing_same=1&shipping_method=$shipping_id&payment_method=$payment_id")" 200 "POST /checkout (review)"
placed_url="$(curl -sS -b "$shopper" -c "$shopper" -o /dev/null -w '%{redirect_url}' \
    --data "$(hidden_fields "$work/site/checkout-review.html" /checkout/place)" "$store/checkout/place")"
case "$placed_url" in
    "$store/orders/"*) ;;
    *) echo "screenshots.sh: placing the order did not redirect to the order page (got “$placed_url”); see the server log in $work/server.log" >&2; exit 1 ;;
esac
check "$(shop lookup /orders/lookup)" 200 /orders/lookup
token="$(csrf_from "$work/site/lookup.html")"
check "$(shop lookup-sent /orders/lookup --data-urlencode "csrf_token=$token" --data "number=1001&email=ana%40example.com")" 200 "POST /orders/lookup"

check "$(save orders /admin/orders)" 200 /admin/orders
order_path="$(sed -n 's|.*href="\(/admin/orders/[0-9][0-9]*\)".*|\1|p' "$work/site/orders.html" | head -n 1)"
check "$(save order "${order_path:-/admin/orders/1}")" 200 "detail of order 1001"
check "$(save dashboard-sales /admin)" 200 "/admin after an order"
check "$(save outbox /admin/outbox)" 200 /admin/outbox
check "$(save shipping /admin/settings/shipping)" 200 /admin/settings/shipping
check "$(save shipping-new /admin/settings/shipping/new)" 200 /admin/settings/shipping/new
check "$(save payments /admin/settings/payments)" 200 /admin/settings/payments
check "$(save order-settings /admin/settings/orders)" 200 /admin/settings/orders

static_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
python3 -m http.server "$static_port" --bind 127.0.0.1 --directory "$work/site" >/dev/null 2>&1 &
static_pid=$!
for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$static_port/dashboard.html" >/dev/null 2>&1 && break
    sleep 0.1
done

site="http://127.0.0.1:$static_port"
for page in dashboard products product-new product-invalid product-edit settings staff staff-invited \
    orders order dashboard-sales outbox shipping shipping-new payments order-settings; do
    shoot "admin-$page" "$site/$page.html"
done
for page in cart checkout checkout-invalid checkout-review lookup lookup-sent; do
    shoot "shop-$page" "$site/$page.html"
done
# The order page opens by its token, with no cookie, so chromium opens it on the server.
shoot shop-order-placed "$placed_url"
shoot shop-cart-empty "$store/cart"
shoot admin-not-found "$site/admin-404.html"
# The invitation page is for someone not logged in, so chromium opens it on the server.
if [ -n "$invitation_url" ]; then
    shoot admin-invitation "$invitation_url"
else
    echo "screenshots.sh: warning: no invitation link found on the staff page" >&2
    failures=$((failures + 1))
fi

echo "Screenshots are in $out"
if [ "$failures" -gt 0 ]; then
    echo "screenshots.sh: $failures page(s) returned an unexpected status; errors in the server log:" >&2
    grep 'level=error' "$work/server.log" >&2 || true
    exit 1
fi
