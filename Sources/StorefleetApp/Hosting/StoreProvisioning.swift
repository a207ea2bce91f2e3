import Commerce
import Crypto
import Foundation
import SQLite
import Tenancy

/// The details of a store to create: its address, name, owner and plan. Creation adds the
/// default settings and the owner's staff account.
public struct NewStore: Sendable {
    public var slug: String
    public var name: String
    public var ownerEmail: String
    public var plan: Plan
    /// The owner's password; nil generates one, which `create` returns so it can be shown once.
    public var password: String?
    public var sampleProducts = false

    public init(slug: String, name: String, ownerEmail: String, plan: Plan = .plus, password: String? = nil) {
        self.slug = slug
        self.name = name
        self.ownerEmail = ownerEmail
        self.plan = plan
        self.password = password
    }
}

extension Application {
    /// Creates a store on a 14-day trial, all or nothing, and returns it with the owner's
    /// password (the generated one when none was given).
    public func createStore(_ new: NewStore) throws -> (store: StoreRecord, password: String) {
        try Self.createStore(new, provisioner: provisioner, passwordHasher: passwordHasher, now: clock.now())
    }

    /// Runs the provisioning steps shared by the server and the command line.
    static func createStore(
        _ new: NewStore,
        provisioner: Provisioner,
        passwordHasher: PasswordHasher,
        now: Date
    ) throws -> (store: StoreRecord, password: String) {
        let password = new.password ?? SecureRandom.token(byteCount: 12)
        if new.password != nil {
            let problems = PasswordRules.validate(password, email: new.ownerEmail)
            guard problems.isEmpty else {
                throw ValidationErrors(field: "password", message: problems.joined(separator: " "))
            }
        }
        let directoryHasher = passwordHasher
        let store = try provisioner.create(slug: new.slug, name: new.name, ownerEmail: new.ownerEmail, plan: new.plan) { database, record in
            var settings = StoreSettings.defaults
            settings.storeName = record.name
            settings.contactEmail = record.ownerEmail
            try settings.save(to: database)
            let directory = StaffDirectory(database: database, passwordHasher: directoryHasher, now: { now })
            try directory.createOwner(email: record.ownerEmail, name: "Owner", password: password)
            if new.sampleProducts {
                try SampleData.seedDemoProducts(into: database, now: { now })
                try seedSampleCheckout(into: database, currency: settings.currency ?? .usd, now: now)
            }
        }
        return (store, password)
    }
}

/// Gives a sample store what it needs to take orders: one shipping method, free above an
/// amount, and the bank transfer and cash on delivery payment methods.
private func seedSampleCheckout(into database: Database, currency: Currency, now: Date) throws {
    let unit = Int64(pow(10.0, Double(currency.minorUnits)))
    _ = try ShippingMethodStore(database: database, now: { now }).create(ShippingMethodInput(
        name: "Standard shipping", price: 5 * unit, freeFromSubtotal: 75 * unit
    ))
    let payments = PaymentMethodStore(database: database)
    if let bank = try payments.find(kind: .bankTransfer) {
        _ = try payments.update(id: bank.id, with: PaymentMethodInput(
            name: bank.name,
            instructions: "Transfer the total to account 0000 1111 2222 (Demo Bank) with your order number as the reference. We ship once the payment arrives.",
            isEnabled: true,
            position: bank.position
        ))
    }
    if let cash = try payments.find(kind: .cashOnDelivery) {
        var input = PaymentMethodInput(cash)
        input.isEnabled = true
        _ = try payments.update(id: cash.id, with: input)
    }
}

/// The store that `storefleet` creates on first start so there is something to look at.
public enum DemoStore {
    public static let slug = "demo"
    public static let name = "Trailhead Outfitters (demo)"
    public static let ownerEmail = "owner@demo.example"
    /// A fixed, published password: the demo store is for trying Storefleet on one's own
    /// machine. The README tells operators to change it on any server others can reach.
    public static let password = "demo-password"

    /// Creates the demo store with sample products when the catalog has no stores yet.
    /// Returns whether it created the store.
    @discardableResult
    public static func provisionIfEmpty(_ app: Application) throws -> Bool {
        guard try app.catalog.storeCount() == 0 else { return false }
        var new = NewStore(slug: slug, name: name, ownerEmail: ownerEmail, plan: .premium, password: password)
        new.sampleProducts = true
        _ = try app.createStore(new)
        return true
    }

    /// Returns whether the demo owner still logs in with the published password, which the
    /// start-up message shows only while it works.
    public static func hasDefaultPassword(_ app: Application) throws -> Bool {
        guard let demo = try app.catalog.store(slug: slug) else { return false }
        let stored = try app.pool.withStore(demo.id) { queue in
            try queue.read { database in
                try database.scalar(
                    "SELECT password_hash FROM staff_members WHERE email_key = ?", EmailAddress.key(ownerEmail), as: String.self
                )
            }
        }
        // Verified outside the store's lock, because scrypt takes about a tenth of a second.
        guard let stored else { return false }
        return app.passwordHasher.verify(password, against: stored).isValid
    }
}
