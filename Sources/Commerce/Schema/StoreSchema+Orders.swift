extension StoreSchema {
    /// Shipping and payment methods, carts, orders with their lines and timeline, and the
    /// mail outbox.
    ///
    /// Orders copy every name and price they show (product title, SKU, unit price, shipping
    /// method, payment instructions), so editing or deleting a product or method later never
    /// changes an order. References to those rows are therefore `ON DELETE SET NULL`.
    static let version2 = """
        CREATE TABLE shipping_methods (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            price INTEGER NOT NULL CHECK (price >= 0),
            -- Shipping is free when the cart's subtotal is at least this amount; NULL for never.
            free_from_subtotal INTEGER CHECK (free_from_subtotal >= 0),
            -- ISO 3166-1 alpha-2 codes joined by commas, such as 'ES,PT'; NULL for every country.
            countries TEXT,
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE payment_methods (
            id INTEGER PRIMARY KEY,
            -- One row per kind. The kind is checked in Swift rather than by a CHECK constraint,
            -- so adding a payment processor later needs no table rebuild.
            kind TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            -- Shown to the shopper after ordering and in order mails (bank details, for example).
            instructions TEXT NOT NULL DEFAULT '',
            enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
            position INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        -- The manual methods exist in every store, disabled until the merchant turns them on.
        INSERT INTO payment_methods (kind, name, position) VALUES
            ('bank_transfer', 'Bank transfer', 1),
            ('cash_on_delivery', 'Cash on delivery', 2),
            ('pay_in_store', 'Pay in store', 3);

        CREATE TABLE carts (
            id INTEGER PRIMARY KEY,
            -- SHA-256 of the cart cookie's token; the token itself is not kept.
            token_hash BLOB NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX carts_updated_at ON carts (updated_at);

        CREATE TABLE cart_lines (
            id INTEGER PRIMARY KEY,
            cart_id INTEGER NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
            product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
            quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
            -- The product's price when the shopper last saw it, to flag a change since.
            seen_unit_price INTEGER NOT NULL CHECK (seen_unit_price >= 0),
            added_at TEXT NOT NULL,
            UNIQUE (cart_id, product_id)
        ) STRICT;
        CREATE INDEX cart_lines_product_id ON cart_lines (product_id);

        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            -- The number shown to people, from 1001 upwards without gaps.
            number INTEGER NOT NULL UNIQUE CHECK (number >= 1001),
            status TEXT NOT NULL CHECK (status IN ('pending_payment', 'paid', 'canceled', 'abandoned')),
            fulfillment TEXT NOT NULL CHECK (fulfillment IN ('unfulfilled', 'shipped', 'delivered')),
            -- The customer account that placed the order, NULL for a guest. Customer accounts
            -- come in a later migration, which is why there is no foreign key here.
            customer_id INTEGER,
            email TEXT NOT NULL,
            -- Lower-cased email, for the guest order lookup.
            email_key TEXT NOT NULL,
            shipping_name TEXT NOT NULL,
            shipping_line1 TEXT NOT NULL,
            shipping_line2 TEXT NOT NULL,
            shipping_city TEXT NOT NULL,
            shipping_postal_code TEXT NOT NULL,
            shipping_region TEXT NOT NULL,
            shipping_country TEXT NOT NULL,
            billing_name TEXT NOT NULL,
            billing_line1 TEXT NOT NULL,
            billing_line2 TEXT NOT NULL,
            billing_city TEXT NOT NULL,
            billing_postal_code TEXT NOT NULL,
            billing_region TEXT NOT NULL,
            billing_country TEXT NOT NULL,
            shipping_method_id INTEGER REFERENCES shipping_methods (id) ON DELETE SET NULL,
            shipping_method_name TEXT NOT NULL,
            shipping_price INTEGER NOT NULL CHECK (shipping_price >= 0),
            payment_method_id INTEGER REFERENCES payment_methods (id) ON DELETE SET NULL,
            payment_method_kind TEXT NOT NULL,
            payment_method_name TEXT NOT NULL,
            payment_instructions TEXT NOT NULL,
            -- A payment processor's transaction id, or what staff typed when marking it paid.
            payment_reference TEXT,
            currency_code TEXT NOT NULL,
            subtotal INTEGER NOT NULL CHECK (subtotal >= 0),
            total INTEGER NOT NULL CHECK (total >= 0),
            notes TEXT NOT NULL DEFAULT '',
            -- The token of the order status link. Kept so the link can be mailed again; its
            -- SHA-256 is the lookup key, and the token is then compared in constant time.
            access_token TEXT NOT NULL,
            access_token_hash BLOB NOT NULL UNIQUE,
            carrier TEXT,
            tracking_number TEXT,
            placed_at TEXT NOT NULL,
            paid_at TEXT,
            shipped_at TEXT,
            delivered_at TEXT,
            canceled_at TEXT,
            abandoned_at TEXT,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX orders_placed_at ON orders (placed_at, id);
        CREATE INDEX orders_status_placed_at ON orders (status, placed_at);
        CREATE INDEX orders_email_key ON orders (email_key);
        CREATE INDEX orders_customer_id ON orders (customer_id) WHERE customer_id IS NOT NULL;
        CREATE INDEX orders_shipping_method_id ON orders (shipping_method_id) WHERE shipping_method_id IS NOT NULL;
        CREATE INDEX orders_payment_method_id ON orders (payment_method_id) WHERE payment_method_id IS NOT NULL;

        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            product_id INTEGER REFERENCES products (id) ON DELETE SET NULL,
            title TEXT NOT NULL,
            sku TEXT,
            unit_price INTEGER NOT NULL CHECK (unit_price >= 0),
            quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
            line_total INTEGER NOT NULL CHECK (line_total >= 0)
        ) STRICT;
        CREATE INDEX order_lines_order_id ON order_lines (order_id, id);
        CREATE INDEX order_lines_product_id ON order_lines (product_id) WHERE product_id IS NOT NULL;

        -- The order timeline: one row per change, written in the change's transaction.
        CREATE TABLE order_events (
            id INTEGER PRIMARY KEY,
            order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('placed', 'paid', 'shipped', 'delivered', 'canceled', 'abandoned', 'note')),
            -- 'shopper', 'system', or 'staff:<id> <name>'.
            actor TEXT NOT NULL,
            message TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX order_events_order_id ON order_events (order_id, id);

        -- Mail waiting to be sent, being sent, sent, or given up on. Rows are never deleted by
        -- the sender, so the admin can see and resend failed mail.
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            to_address TEXT NOT NULL,
            to_name TEXT NOT NULL DEFAULT '',
            subject TEXT NOT NULL,
            text_body TEXT NOT NULL,
            html_body TEXT,
            order_id INTEGER REFERENCES orders (id) ON DELETE SET NULL,
            status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            -- For 'queued' the time the next attempt is due; for 'sending' the time the claim
            -- lapses and the row may be claimed again.
            next_attempt_at TEXT NOT NULL,
            last_error TEXT,
            created_at TEXT NOT NULL,
            sent_at TEXT
        ) STRICT;
        CREATE INDEX outbox_status_next_attempt_at ON outbox (status, next_attempt_at);
        CREATE INDEX outbox_created_at ON outbox (created_at, id);
        CREATE INDEX outbox_order_id ON outbox (order_id) WHERE order_id IS NOT NULL;
        """
}
