import Commerce
import Foundation
import SQLite
import Testing
@testable import StorefleetApp
@testable import Tenancy

/// `storefleet stores …` and `storefleet migrate`, run in-process against a temporary data
/// folder, with the results checked through the catalog and the store files.
@Suite struct CommandLineTests {
    /// A data folder for one test, removed at the end.
    private final class DataFolder {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("storefleet-cli-tests-" + UUID().uuidString, isDirectory: true)
        var path: String { url.path }
        var options: [String] { ["--data", path, "--domain", TestApp.platformDomain] }

        func catalog() throws -> Catalog {
            try Catalog(dataDirectory: DataDirectory(url), platformDomain: TestApp.platformDomain)
        }

        /// Returns the entries of `stores/`, which contains one folder per store.
        func storeFolders() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent("stores").path)) ?? []).sorted()
        }

        deinit {
            try? FileManager.default.removeItem(at: url)
        }
    }

    private func createArguments(slug: String, _ folder: DataFolder) -> [String] {
        ["stores", "create", "--slug", slug, "--name", "Shop \(slug)", "--owner-email", "owner@example.com",
         "--password", "long enough password"] + folder.options
    }

    @Test(arguments: [["--help"], ["help"], ["stores", "--help"], ["stores", "domains", "--help"], ["serve", "--help"],
                      ["stores", "create", "--help"], ["migrate", "--help"], ["backup", "--help"],
                      ["stores", "plan", "--help"], ["stores", "activate", "--help"], ["stores", "extend-trial", "--help"], ["stores", "suspend", "--help"]])
    func helpExitsCleanly(arguments: [String]) {
        #expect(StorefleetCLI.run(arguments) == 0)
    }

    @Test func createsAStore() throws {
        let folder = DataFolder()
        let status = StorefleetCLI.run(["stores", "create", "--slug", "lantern", "--name", "Lantern Supply",
                                        "--owner-email", "owner@lantern.example", "--plan", "pro", "--sample-products"] + folder.options)
        #expect(status == 0)

        let catalog = try folder.catalog()
        let store = try #require(try catalog.store(slug: "lantern"))
        #expect(store.name == "Lantern Supply")
        #expect(store.plan == .pro)
        #expect(store.status == .trialing)
        #expect(store.state == .ready)
        #expect(store.ownerEmail == "owner@lantern.example")
        let trialEnd = try #require(store.trialEndsAt)
        #expect(abs(trialEnd.timeIntervalSince(store.createdAt) - Trial.length) < 1)
        #expect(folder.storeFolders() == [store.id])

        let database = try Database(path: DataDirectory(folder.url).storeDatabasePath(store.id))
        defer { try? database.close() }
        let settings = try StoreSettings.load(from: database)
        #expect(settings.storeName == "Lantern Supply")
        #expect(try ProductStore(database: database).count() > 0, "--sample-products fills the store")
    }

    @Test(arguments: ["..", ".x", "%2e%2e", "a/b", "UPPER", "", "www", "admin", String(repeating: "a", count: 64), "-shop", "shop-", "xn--shop", "shop.test", "café", " shop"])
    func badSlugIsRejected(slug: String) throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: slug, folder)) == 64)

        let catalog = try folder.catalog()
        #expect(try catalog.storeCount() == 0)
        #expect(folder.storeFolders().isEmpty)
        // Nothing was created beside the data folder either, such as a folder named by the slug.
        let entries = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(entries.allSatisfy { ["platform.sqlite", "platform.sqlite-wal", "platform.sqlite-shm", "stores"].contains($0) }, "\(entries)")
    }

    @Test func operatorChangesPlanTrialAndStatus() throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: "acme", folder)) == 0)
        let catalog = try folder.catalog()
        let created = try #require(try catalog.store(slug: "acme"))
        #expect(created.status == .trialing)
        let trialEnd = try #require(created.trialEndsAt)

        #expect(StorefleetCLI.run(["stores", "plan", "acme", "premium"] + folder.options) == 0)
        var store = try #require(try catalog.store(slug: "acme"))
        #expect(store.plan == .premium)
        #expect(store.status == .trialing)

        // Seven more days, counted from the trial's end because it is still ahead.
        #expect(StorefleetCLI.run(["stores", "extend-trial", "acme", "--days", "7"] + folder.options) == 0)
        store = try #require(try catalog.store(slug: "acme"))
        let added = try #require(store.trialEndsAt).timeIntervalSince(trialEnd)
        // Dates are stored as text with millisecond precision.
        #expect(abs(added - 7 * 86_400) < 0.01)

        #expect(StorefleetCLI.run(["stores", "suspend", "acme"] + folder.options) == 0)
        #expect(try catalog.store(slug: "acme")?.status == .suspended)
        // A suspended store is not on a trial, so its trial cannot be extended.
        #expect(StorefleetCLI.run(["stores", "extend-trial", "acme", "--days", "7"] + folder.options) == 64)

        #expect(StorefleetCLI.run(["stores", "activate", "acme", "--plan", "pro"] + folder.options) == 0)
        store = try #require(try catalog.store(slug: "acme"))
        #expect(store.status == .active)
        #expect(store.plan == .pro)
        // An active store has no trial left to extend either.
        #expect(StorefleetCLI.run(["stores", "extend-trial", "acme", "--days", "7"] + folder.options) == 64)
        #expect(try catalog.store(slug: "acme")?.status == .active)
    }

    /// `storefleet --help` lists every command that has a `--help` of its own.
    @Test func topLevelHelpListsEveryCommand() {
        for command in ["serve", "stores create", "stores list", "stores check", "stores domains add", "stores domains remove", "stores domains list",
                        "stores plan", "stores activate", "stores extend-trial", "stores suspend", "migrate", "backup"] {
            #expect(StorefleetCommand.usage.contains("  \(command) "), "\(command)")
        }
    }

    @Test(arguments: [
        ["stores", "plan", "acme", "gold"], ["stores", "plan", "acme"], ["stores", "plan", "nobody", "pro"],
        ["stores", "activate", "acme", "--plan", "free"], ["stores", "extend-trial", "acme"],
        ["stores", "extend-trial", "acme", "--days", "0"], ["stores", "extend-trial", "acme", "--days", "many"],
        ["stores", "suspend"],
    ])
    func badStandingChangesAreRejected(arguments: [String]) throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: "acme", folder)) == 0)
        let before = try folder.catalog().store(slug: "acme")
        #expect(StorefleetCLI.run(arguments + folder.options) == 64)
        #expect(try folder.catalog().store(slug: "acme") == before)
    }

    @Test func sixtyThreeCharacterSlugIsAccepted() throws {
        let folder = DataFolder()
        let slug = String(repeating: "a", count: 63)
        #expect(StorefleetCLI.run(createArguments(slug: slug, folder)) == 0)
        #expect(try folder.catalog().store(slug: slug) != nil)
    }

    @Test func takenSlugAndBadInputAreRejected() throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: "lantern", folder)) == 0)
        #expect(StorefleetCLI.run(createArguments(slug: "lantern", folder)) == 64)

        let badEmail = ["stores", "create", "--slug", "kettle", "--name", "Kettle", "--owner-email", "not-an-email",
                        "--password", "long enough password"] + folder.options
        #expect(StorefleetCLI.run(badEmail) == 64)
        let shortPassword = ["stores", "create", "--slug", "kettle", "--name", "Kettle", "--owner-email", "o@kettle.example",
                             "--password", "short"] + folder.options
        #expect(StorefleetCLI.run(shortPassword) == 64)
        let badPlan = ["stores", "create", "--slug", "kettle", "--name", "Kettle", "--owner-email", "o@kettle.example",
                       "--plan", "gold"] + folder.options
        #expect(StorefleetCLI.run(badPlan) == 64)
        let missingName = ["stores", "create", "--slug", "kettle", "--owner-email", "o@kettle.example"] + folder.options
        #expect(StorefleetCLI.run(missingName) == 64)
        #expect(StorefleetCLI.run(["stores", "frobnicate"] + folder.options) == 64)
        #expect(StorefleetCLI.run(["stores", "create", "--no-such-option"] + folder.options) == 64)

        let catalog = try folder.catalog()
        #expect(try catalog.storeCount() == 1)
        #expect(try catalog.store(slug: "kettle") == nil)
        #expect(folder.storeFolders().count == 1)
    }

    @Test func storeCreatedByTheCommandLineIsServedAtOnce() throws {
        let app = try TestApp()
        defer { app.stop() }
        let browser = app.browser()
        let before = try browser.get("/", host: TestApp.host("lantern"))
        #expect(before.status == 404)

        let status = StorefleetCLI.run(["stores", "create", "--slug", "lantern", "--name", "Lantern Supply",
                                        "--owner-email", "owner@lantern.example", "--password", "long enough password",
                                        "--data", app.dataDirectory.path, "--domain", TestApp.platformDomain])
        #expect(status == 0)

        let after = try browser.get("/", host: TestApp.host("lantern"))
        #expect(after.status == 200)
        #expect(after.pageText.contains("Lantern Supply"))
        try browser.logIn(host: TestApp.host("lantern"), email: "owner@lantern.example", password: "long enough password")
        #expect(try browser.get("/admin/products", host: TestApp.host("lantern")).status == 200)
    }

    @Test func checkRepairsAHalfCreatedStore() throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: "healthy", folder)) == 0)

        // A crash during creation leaves a provisioning row and a folder with an unfinished
        // file. The row is backdated past the check's minimum age.
        let dataDirectory = DataDirectory(folder.url)
        let half: StoreRecord
        do {
            let catalog = try folder.catalog()
            defer { try? catalog.close() }
            let created = Date().addingTimeInterval(-3_600)
            half = StoreRecord(
                id: StoreID.generate(), slug: "halfway", name: "Half", plan: .plus, status: .trialing,
                trialEndsAt: Trial.end(startingAt: created), ownerEmail: "o@half.example",
                createdAt: created, lastActiveAt: nil, state: .provisioning, damage: nil
            )
            try catalog.insertProvisioningStore(half)
            try FileManager.default.createDirectory(at: dataDirectory.storeFilesFolder(half.id), withIntermediateDirectories: true)
            let database = try Database(path: dataDirectory.storeDatabasePath(half.id))
            try StoreSchema.migrate(database)
            try database.close()
        }
        #expect(folder.storeFolders().count == 2)

        // Without --repair the check reports and changes nothing.
        #expect(StorefleetCLI.run(["stores", "check"] + folder.options) == 1)
        #expect(try folder.catalog().store(id: half.id)?.state == .provisioning)

        // With --repair it removes the half-created store. The exit status still reports
        // that something was found, as fsck does.
        #expect(StorefleetCLI.run(["stores", "check", "--repair"] + folder.options) == 1)
        let catalog = try folder.catalog()
        #expect(try catalog.store(id: half.id) == nil)
        #expect(try catalog.store(slug: "healthy")?.state == .ready)
        #expect(folder.storeFolders().count == 1)
        #expect(!FileManager.default.fileExists(atPath: dataDirectory.storeFolder(half.id).path))

        #expect(StorefleetCLI.run(["stores", "check"] + folder.options) == 0)
        // The slug is free again.
        #expect(StorefleetCLI.run(createArguments(slug: "halfway", folder)) == 0)
    }

    @Test func checkMarksAStoreWithoutItsFileDamaged() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", name: "Alpha Outfitters")
        try app.createStore("bravo", name: "Bravo Ceramics")
        let options = ["--data", app.dataDirectory.path, "--domain", TestApp.platformDomain]
        let path = app.dataDirectory.appendingPathComponent("stores/\(store.id)/store.sqlite").path
        let backup = app.dataDirectory.appendingPathComponent("alpha-backup.sqlite").path
        try FileManager.default.moveItem(atPath: path, toPath: backup)

        #expect(StorefleetCLI.run(["stores", "check", "--repair", "--min-age", "0"] + options) == 1)
        #expect(try app.catalog.store(id: store.id)?.state == .damaged)
        let response = try app.browser().get("/", host: TestApp.host("alpha"))
        #expect(response.status == 503)
        #expect(response.pageText.contains("This store is unavailable"))
        #expect(try app.browser().get("/", host: TestApp.host("bravo")).status == 200)

        // Restoring the file and checking again serves the store.
        try FileManager.default.moveItem(atPath: backup, toPath: path)
        #expect(StorefleetCLI.run(["stores", "check", "--repair", "--min-age", "0"] + options) == 1)
        #expect(try app.catalog.store(id: store.id)?.state == .ready)
        #expect(try app.browser().get("/", host: TestApp.host("alpha")).status == 200)
    }

    @Test func migrateSucceedsOverSeveralStores() throws {
        let folder = DataFolder()
        for slug in ["alpha", "bravo", "charlie", "delta"] {
            #expect(StorefleetCLI.run(createArguments(slug: slug, folder)) == 0)
        }

        #expect(StorefleetCLI.run(["migrate", "--workers", "2"] + folder.options) == 0)
        // A second run finds everything up to date.
        #expect(StorefleetCLI.run(["migrate"] + folder.options) == 0)

        let catalog = try folder.catalog()
        for slug in ["alpha", "bravo", "charlie", "delta"] {
            let store = try #require(try catalog.store(slug: slug))
            let database = try Database(path: DataDirectory(folder.url).storeDatabasePath(store.id))
            defer { try? database.close() }
            #expect(try StoreSettings.load(from: database).storeName == "Shop \(slug)")
        }
        #expect(StorefleetCLI.run(["migrate", "--workers", "0"] + folder.options) == 64)
    }

    @Test func migrateReportsAStoreWithoutItsFile() throws {
        let folder = DataFolder()
        for slug in ["alpha", "bravo", "charlie"] {
            #expect(StorefleetCLI.run(createArguments(slug: slug, folder)) == 0)
        }
        let bravo = try #require(try folder.catalog().store(slug: "bravo"))
        let path = DataDirectory(folder.url).storeDatabasePath(bravo.id)
        try FileManager.default.removeItem(atPath: path)

        #expect(StorefleetCLI.run(["migrate"] + folder.options) == 1)
        #expect(!FileManager.default.fileExists(atPath: path), "a missing store file is never created empty")
        #expect(try folder.catalog().store(slug: "alpha")?.state == .ready)
    }

    @Test func listAndHelpSucceed() throws {
        let folder = DataFolder()
        #expect(StorefleetCLI.run(createArguments(slug: "alpha", folder)) == 0)
        #expect(StorefleetCLI.run(["stores", "list"] + folder.options) == 0)
        #expect(StorefleetCLI.run(["stores", "list", "--status", "trialing"] + folder.options) == 0)
        #expect(StorefleetCLI.run(["stores", "list", "--status", "sleeping"] + folder.options) == 64)
        #expect(StorefleetCLI.run(["stores", "create", "--help"]) == 0)
        #expect(StorefleetCLI.run(["help"]) == 0)
        #expect(StorefleetCLI.run(["launch"]) == 64)
    }
}
