import SQLite

/// The catalog's schema migrations. Append only: a released migration never changes,
/// because the catalog file records only how many have run.
enum CatalogSchema {
    static let migrator: Migrator = {
        var migrator = Migrator()

        // Times are UTC text in SQLite's `YYYY-MM-DD HH:MM:SS.SSS` form, which sorts and
        // compares in time order. CHECK constraints keep the enumerations to the values the
        // Swift types can read.
        migrator.register("create stores and domains", sql: """
            CREATE TABLE stores (
                id TEXT PRIMARY KEY NOT NULL,
                slug TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                plan TEXT NOT NULL CHECK (plan IN ('plus', 'pro', 'premium')),
                status TEXT NOT NULL CHECK (status IN ('trialing', 'active', 'expired', 'suspended')),
                trial_ends_at TEXT,
                owner_email TEXT NOT NULL,
                created_at TEXT NOT NULL,
                last_active_at TEXT,
                state TEXT NOT NULL DEFAULT 'provisioning'
                    CHECK (state IN ('provisioning', 'ready', 'damaged')),
                damage TEXT
            );
            CREATE INDEX stores_by_status ON stores (status, trial_ends_at);

            CREATE TABLE domains (
                hostname TEXT PRIMARY KEY NOT NULL,
                store_id TEXT NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
                is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1)),
                verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
                created_at TEXT NOT NULL
            );
            CREATE INDEX domains_by_store ON domains (store_id);
            -- A partial unique index allows any number of secondary domains but one
            -- primary per store (https://sqlite.org/partialindex.html).
            CREATE UNIQUE INDEX domains_one_primary_per_store ON domains (store_id) WHERE is_primary = 1;
            """)

        return migrator
    }()
}

// The catalog stores these enumerations by raw value.

extension Plan: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(rawValue) }

    public init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let plan = Plan(rawValue: text) else {
            throw SQLValueConversionError(value: sqlValue, targetType: Plan.self, reason: "expected one of plus, pro, premium")
        }
        self = plan
    }
}

extension StoreStatus: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(rawValue) }

    public init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let status = StoreStatus(rawValue: text) else {
            throw SQLValueConversionError(value: sqlValue, targetType: StoreStatus.self, reason: "expected one of trialing, active, expired, suspended")
        }
        self = status
    }
}

extension ProvisioningState: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(rawValue) }

    public init(sqlValue: SQLValue) throws {
        guard case .text(let text) = sqlValue, let state = ProvisioningState(rawValue: text) else {
            throw SQLValueConversionError(value: sqlValue, targetType: ProvisioningState.self, reason: "expected one of provisioning, ready, damaged")
        }
        self = state
    }
}

extension StoreRecord {
    /// The columns `init(row:)` reads, for SELECT lists.
    static let columns = "id, slug, name, plan, status, trial_ends_at, owner_email, created_at, last_active_at, state, damage"

    init(row: Row) throws {
        self.init(
            id: try row.get("id"),
            slug: try row.get("slug"),
            name: try row.get("name"),
            plan: try row.get("plan"),
            status: try row.get("status"),
            trialEndsAt: try row.get("trial_ends_at"),
            ownerEmail: try row.get("owner_email"),
            createdAt: try row.get("created_at"),
            lastActiveAt: try row.get("last_active_at"),
            state: try row.get("state"),
            damage: try row.get("damage")
        )
    }
}
