extension StoreSchema {
    /// The order a cart became, so that a second submission of the same checkout (a double
    /// click on "Place order", a reloaded POST) finds the order the first one placed instead
    /// of an empty cart. `Checkout.placeOrder` sets the three `placed_` columns together.
    ///
    /// SQLite's ALTER TABLE ADD COLUMN accepts a REFERENCES clause only with a NULL default
    /// while foreign keys are on (https://sqlite.org/lang_altertable.html), which these have.
    static let version3 = """
        ALTER TABLE carts ADD COLUMN placed_order_id INTEGER REFERENCES orders (id) ON DELETE SET NULL;
        -- The `CheckoutQuote.fingerprint` the shopper confirmed for that order.
        ALTER TABLE carts ADD COLUMN placed_fingerprint TEXT;
        ALTER TABLE carts ADD COLUMN placed_at TEXT;
        -- Deleting an order looks up the carts that name it (https://sqlite.org/foreignkeys.html#fk_indexes).
        CREATE INDEX carts_placed_order_id ON carts (placed_order_id) WHERE placed_order_id IS NOT NULL;
        """

    /// The store's language when the order was placed, so that the mail sent later (paid,
    /// shipped, canceled) stays in the shopper's language after the store changes its
    /// own. NULL for orders placed before this column, which use the store's language.
    static let version4 = """
        ALTER TABLE orders ADD COLUMN language TEXT;
        """
}
