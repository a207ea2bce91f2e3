import SQLite

/// The tables of one store's file, as an ordered list of migrations.
///
/// Each migration is applied once, in order, and recorded in `PRAGMA user_version` by the
/// `Migrator`. Released migrations are never edited: a later stage (carts, orders,
/// customers) appends a new one. All tables are STRICT (SQLite 3.37+,
/// https://sqlite.org/stricttables.html), so a value of the wrong type is rejected instead
/// of being stored as something else. Times are UTC text in the form SQLite's date
/// functions read, and money is an INTEGER count of the store currency's minor units.
public enum StoreSchema {
    /// The migrator for a store file. Running it on an up-to-date file reads
    /// `user_version` and returns.
    public static let migrator: Migrator = {
        var migrator = Migrator()
        for migration in migrations {
            migrator.register(migration.name, sql: migration.sql)
        }
        return migrator
    }()

    /// Brings `database` up to the latest schema version and returns the names of the
    /// migrations applied, none when it was up to date. Must be called outside a transaction.
    @discardableResult
    public static func migrate(_ database: Database) throws -> [String] {
        try migrator.migrate(database)
    }

    /// The schema version this code writes: the number of migrations.
    public static var latestVersion: Int { migrations.count }

    static let migrations: [(name: String, sql: String)] = [
        ("settings, staff, sessions and products", version1),
        ("shipping, payments, carts, orders and outbox", version2),
        ("the order each cart became", version3),
        ("the language each order was placed in", version4),
    ]

    private static let version1 = """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE staff_members (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL,
            -- Lower-cased email, so uniqueness and login ignore letter case.
            email_key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'staff')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            last_login_at TEXT
        ) STRICT;
        -- At most one owner per store.
        CREATE UNIQUE INDEX staff_members_single_owner ON staff_members (role) WHERE role = 'owner';

        CREATE TABLE staff_invitations (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL,
            email_key TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'staff')),
            -- SHA-256 of the token sent in the invitation link; the token itself is not kept.
            token_hash BLOB NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            -- SHA-256 of the session cookie's token; the token itself is not kept.
            token_hash BLOB NOT NULL UNIQUE,
            -- NULL for an anonymous (shopper) session.
            staff_id INTEGER REFERENCES staff_members (id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sessions_staff_id ON sessions (staff_id) WHERE staff_id IS NOT NULL;
        CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);
        CREATE INDEX sessions_created_at ON sessions (created_at);

        -- Failed logins, one row per failure and scope, so a successful login can clear the
        -- account's rows while the address's stay.
        CREATE TABLE login_attempts (
            id INTEGER PRIMARY KEY,
            scope TEXT NOT NULL CHECK (scope IN ('account', 'address')),
            -- For 'account' the lower-cased email as typed, whether or not an account has
            -- it; for 'address' the client address, IPv6 reduced to its /64 prefix.
            key TEXT NOT NULL,
            attempted_at TEXT NOT NULL
        ) STRICT;
        CREATE INDEX login_attempts_scope_key ON login_attempts (scope, key, attempted_at);
        CREATE INDEX login_attempts_attempted_at ON login_attempts (attempted_at);

        CREATE TABLE products (
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            price INTEGER NOT NULL CHECK (price >= 0),
            compare_at_price INTEGER CHECK (compare_at_price >= 0),
            -- NULL when the merchant gave none; unique otherwise, ignoring ASCII letter case.
            sku TEXT COLLATE NOCASE,
            stock INTEGER NOT NULL DEFAULT 0 CHECK (stock >= 0),
            visible INTEGER NOT NULL DEFAULT 1 CHECK (visible IN (0, 1)),
            -- File name under the store's files/ folder; the app stores the file itself.
            image_file_name TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX products_sku ON products (sku) WHERE sku IS NOT NULL;
        -- One index per sort order of the product list; the trailing id keeps pages stable.
        CREATE INDEX products_newest ON products (created_at, id);
        CREATE INDEX products_title ON products (title COLLATE NOCASE, id);
        CREATE INDEX products_price ON products (price, id);
        CREATE INDEX products_stock ON products (stock, id);
        -- The storefront lists only visible products, newest first.
        CREATE INDEX products_visible_newest ON products (visible, created_at, id);
        """
}
