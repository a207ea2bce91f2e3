import Foundation
import SQLite
import Synchronization
import Testing
@testable import Tenancy

@Suite struct ProvisionerTests {
    @Test func creationWritesRowFolderAndFile() throws {
        let platform = try TestPlatform()
        let store = try platform.provisioner.create(slug: "demo", name: "  Demo Shop  ", ownerEmail: "Owner@Demo.EXAMPLE", plan: .premium, setUp: seedMarker)

        #expect(StoreID.isValid(store.id))
        #expect(store.name == "Demo Shop")
        #expect(store.ownerEmail == "Owner@demo.example")
        #expect(store.state == .ready)
        #expect(try platform.catalog.store(id: store.id) == store)
        #expect(FileManager.default.fileExists(atPath: platform.dataDirectory.storeFilesFolder(store.id).path))

        let database = try Database(path: platform.dataDirectory.storeDatabasePath(store.id), configuration: .init(accessMode: .readOnly))
        #expect(try database.scalar("SELECT store_id FROM marker", as: String.self) == store.id)
        #expect(try Migrator.userVersion(of: database) == testStoreMigrator.migrationNames.count)
    }

    @Test func failingSetUpLeavesNothing() throws {
        let platform = try TestPlatform()
        struct SeedingFailed: Error {}
        let createdID = Mutex<String?>(nil)

        #expect(throws: ProvisioningError.self) {
            try platform.provisioner.create(slug: "demo", name: "Demo", ownerEmail: "o@demo.example", plan: .plus) { database, store in
                createdID.withLock { $0 = store.id }
                try seedMarker(database, store)
                throw SeedingFailed()
            }
        }

        let id = try #require(createdID.withLock { $0 })
        #expect(try platform.catalog.store(id: id) == nil)
        #expect(try platform.catalog.store(slug: "demo") == nil)
        #expect(try platform.catalog.storeCount() == 0)
        #expect(!FileManager.default.fileExists(atPath: platform.dataDirectory.storeFolder(id).path))
        // The address is free again.
        #expect(try platform.createStore("demo").slug == "demo")
    }

    @Test func failingPreparationLeavesNothing() throws {
        let platform = try TestPlatform()
        struct Broken: Error {}
        let provisioner = Provisioner(catalog: platform.catalog, dataDirectory: platform.dataDirectory, logger: .silent) { _ in throw Broken() }
        do {
            try provisioner.create(slug: "demo", name: "Demo", ownerEmail: "o@demo.example", plan: .plus, setUp: seedMarker)
            Issue.record("creation succeeded despite a failing preparation")
        } catch let error as ProvisioningError {
            guard case .creationFailed(let slug, _) = error else {
                Issue.record("expected creationFailed, got \(error)")
                return
            }
            #expect(slug == "demo")
            #expect(error.description.contains("nothing of it was kept"))
        }
        #expect(try platform.catalog.storeCount() == 0)
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: platform.dataDirectory.storesFolder.path)) ?? []
        #expect(folders == [])
    }

    @Test func concurrentCreationsOfOneSlugYieldOneStore() throws {
        let platform = try TestPlatform()
        let successes = Mutex<[StoreRecord]>([])
        let errors = Mutex<[String]>([])

        DispatchQueue.concurrentPerform(iterations: 6) { index in
            do {
                let store = try platform.provisioner.create(slug: "demo", name: "Demo \(index)", ownerEmail: "o@demo.example", plan: .plus, setUp: seedMarker)
                successes.withLock { $0.append(store) }
            } catch {
                errors.withLock { $0.append(String(describing: error)) }
            }
        }

        #expect(successes.withLock { $0.count } == 1)
        #expect(errors.withLock { $0 } == Array(repeating: "The address demo is already taken. Choose another address.", count: 5))
        #expect(try platform.catalog.storeCount() == 1)
        let folders = try FileManager.default.contentsOfDirectory(atPath: platform.dataDirectory.storesFolder.path)
        #expect(folders == successes.withLock { $0.map(\.id) })
    }

    @Test func takenSlugIsRejectedWithoutTouchingExistingStore() throws {
        let platform = try TestPlatform()
        let first = try platform.createStore("demo")
        #expect(throws: CatalogError.slugTaken(slug: "demo")) {
            try platform.createStore("demo")
        }
        #expect(try platform.catalog.store(slug: "demo") == first)
        #expect(try platform.catalog.storeCount() == 1)
    }

    @Test(arguments: ["", "   ", String(repeating: "n", count: 101), "Line\nbreak", "Tab\u{7}bell"])
    func invalidNameIsRejected(_ name: String) throws {
        let platform = try TestPlatform()
        #expect(throws: ProvisioningError.self) {
            try platform.provisioner.create(slug: "demo", name: name, ownerEmail: "o@demo.example", plan: .plus, setUp: seedMarker)
        }
        #expect(try platform.catalog.storeCount() == 0)
    }

    @Test func nameOfHundredCharactersIsAccepted() throws {
        let name = String(repeating: "é", count: 100)
        #expect(try Provisioner.validateName(name) == name)
    }

    @Test(arguments: [
        "", "owner", "@example.com", "owner@", "owner@@example.com", "a@b@example.com",
        "owner@localhost", "owner@example..com", "owner@-example.com", "owner@example.com.",
        "owner@example.com:25", "owner@[127.0.0.1]", "own er@example.com", "owner@exa mple.com",
        "\"owner\"@example.com", "owner\n@example.com", String(repeating: "a", count: 65) + "@example.com",
        "owner@1.2.3.4",
    ])
    func invalidEmailIsRejected(_ email: String) throws {
        #expect(throws: ProvisioningError.self) {
            try Provisioner.validateEmail(email)
        }
    }

    @Test(arguments: [
        ("owner@example.com", "owner@example.com"),
        (" first.last+shop@Mail.Example.COM ", "first.last+shop@mail.example.com"),
        ("o@xn--bcher-kva.example", "o@xn--bcher-kva.example"),
    ])
    func validEmailIsNormalised(_ email: String, _ expected: String) throws {
        #expect(try Provisioner.validateEmail(email) == expected)
    }

    @Test func invalidSlugIsRejectedBeforeAnyWrite() throws {
        let platform = try TestPlatform()
        #expect(throws: SlugError.self) {
            try platform.createStore("Admin")
        }
        #expect(throws: SlugError(slug: "www", reason: .reserved)) {
            try platform.createStore("www")
        }
        #expect(try platform.catalog.storeCount() == 0)
    }

    @Test func deleteRemovesRowAndFolder() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        try platform.provisioner.delete(store.id)
        #expect(try platform.catalog.store(id: store.id) == nil)
        #expect(!FileManager.default.fileExists(atPath: platform.dataDirectory.storeFolder(store.id).path))
        #expect(throws: CatalogError.storeNotFound(id: store.id)) {
            try platform.provisioner.delete(store.id)
        }
        #expect(throws: CatalogError.storeNotFound(id: "../x")) {
            try platform.provisioner.delete("../x")
        }
    }
}

@Suite struct StoreIDTests {
    @Test func generatedIDsAreValidAndDistinct() {
        var seen = Set<String>()
        for _ in 0..<1_000 {
            let id = StoreID.generate()
            #expect(StoreID.isValid(id))
            #expect(id.count == 19)
            seen.insert(id)
        }
        #expect(seen.count == 1_000)
    }

    @Test(arguments: ["", "st_", "st_abc", "st_aaaaaaaaaaaaaaa1", "st_AAAAAAAAAAAAAAAA", "xx_aaaaaaaaaaaaaaaa", "st_aaaaaaaa/aaaaaaa", "st_aaaaaaaaaaaaaaaaa", "../aaaaaaaaaaaaaaaa"])
    func malformedIDIsInvalid(_ id: String) {
        #expect(!StoreID.isValid(id))
    }
}

@Suite struct LRUListTests {
    @Test func oldestIsRemovedFirst() {
        var list = LRUList<String>()
        list.touch("a")
        list.touch("b")
        list.touch("c")
        list.touch("a")
        #expect(list.keysFromOldest == ["b", "c", "a"])
        list.remove("c")
        #expect(list.keysFromOldest == ["b", "a"])
        #expect(list.removeOldest() == "b")
        #expect(list.removeOldest() == "a")
        #expect(list.removeOldest() == nil)
        #expect(list.count == 0)
    }
}
