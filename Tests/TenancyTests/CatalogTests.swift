import Foundation
import SQLite
import Testing
@testable import Tenancy

@Suite struct CatalogTests {
    @Test func migrationsCreateSchemaOnce() throws {
        let directory = try TemporaryDirectory()
        let catalog = try Catalog(dataDirectory: directory.dataDirectory, platformDomain: testPlatformDomain)
        let tables = try catalog.queue.read { database in
            try database.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { try $0.get("name", as: String.self) }
        }
        #expect(tables == ["domains", "stores"])
        let version = try catalog.queue.read { try Migrator.userVersion(of: $0) }
        #expect(version == CatalogSchema.migrator.migrationNames.count)
        try catalog.close()

        // Reopening an up-to-date catalog applies nothing and keeps the data.
        let reopened = try Catalog(dataDirectory: directory.dataDirectory, platformDomain: testPlatformDomain)
        let reopenedVersion = try reopened.queue.read { try Migrator.userVersion(of: $0) }
        #expect(reopenedVersion == version)
    }

    @Test func newerCatalogIsRejected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.dataDirectory.catalogPath
        let database = try Database(path: path)
        try database.execute("PRAGMA user_version=99")
        try database.close()

        #expect(throws: MigrationError.self) {
            try Catalog(path: path, platformDomain: testPlatformDomain)
        }
    }

    @Test func invalidPlatformDomainIsRejected() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: CatalogError.invalidPlatformDomain("shop..test", reason: "the name has an empty label between dots")) {
            try Catalog(dataDirectory: directory.dataDirectory, platformDomain: "shop..test")
        }
        #expect(throws: CatalogError.invalidPlatformDomain("127.0.0.1", reason: "it is an IP address, and store addresses need a name")) {
            try Catalog(dataDirectory: directory.dataDirectory, platformDomain: "127.0.0.1")
        }
        #expect(try Catalog(dataDirectory: directory.dataDirectory, platformDomain: "LocalHost:8080").platformDomain == "localhost")
    }

    @Test func storesAreFoundByIDAndSlug() throws {
        let platform = try TestPlatform()
        let created = try platform.createStore("demo", plan: .pro)

        let byID = try #require(try platform.catalog.store(id: created.id))
        #expect(byID == created)
        #expect(byID.state == .ready)
        #expect(byID.status == .trialing)
        #expect(byID.plan == .pro)
        #expect(byID.ownerEmail == "owner@demo.example")
        #expect(byID.createdAt == platform.clock.now())
        #expect(byID.trialEndsAt == platform.clock.now().addingTimeInterval(14 * 86_400))
        #expect(try platform.catalog.store(slug: "demo") == created)
        #expect(try platform.catalog.store(slug: "other") == nil)
        #expect(try platform.catalog.store(id: "st_aaaaaaaaaaaaaaaa") == nil)
    }

    @Test func listingPagesBySlug() throws {
        let platform = try TestPlatform()
        for slug in ["delta", "alpha", "echo", "charlie", "bravo"] {
            try platform.createStore(slug)
        }

        let first = try platform.catalog.listStores(limit: 2)
        #expect(first.stores.map(\.slug) == ["alpha", "bravo"])
        #expect(first.nextCursor == "bravo")
        let second = try platform.catalog.listStores(afterSlug: first.nextCursor, limit: 2)
        #expect(second.stores.map(\.slug) == ["charlie", "delta"])
        let third = try platform.catalog.listStores(afterSlug: second.nextCursor, limit: 2)
        #expect(third.stores.map(\.slug) == ["echo"])
        #expect(third.nextCursor == nil)

        #expect(throws: CatalogError.invalidPageSize(0)) { try platform.catalog.listStores(limit: 0) }
        #expect(throws: CatalogError.invalidPageSize(501)) { try platform.catalog.listStores(limit: 501) }
    }

    @Test func listingFiltersByStatus() throws {
        let platform = try TestPlatform()
        let alpha = try platform.createStore("alpha")
        try platform.createStore("bravo")
        try platform.catalog.updateStatus(of: alpha.id, to: .suspended)

        let suspended = try platform.catalog.listStores(status: .suspended)
        #expect(suspended.stores.map(\.slug) == ["alpha"])
        let trialing = try platform.catalog.listStores(status: .trialing)
        #expect(trialing.stores.map(\.slug) == ["bravo"])
    }

    @Test func slugChangeValidatesAndRejectsTakenSlug() throws {
        let platform = try TestPlatform()
        let alpha = try platform.createStore("alpha")
        try platform.createStore("bravo")

        let renamed = try platform.catalog.changeSlug(of: alpha.id, to: "alpha-shop")
        #expect(renamed.slug == "alpha-shop")
        #expect(renamed.id == alpha.id)
        #expect(try platform.catalog.store(slug: "alpha") == nil)

        #expect(throws: CatalogError.slugTaken(slug: "bravo")) {
            try platform.catalog.changeSlug(of: alpha.id, to: "bravo")
        }
        #expect(CatalogError.slugTaken(slug: "bravo").description == "The address bravo is already taken. Choose another address.")
        #expect(throws: SlugError.self) {
            try platform.catalog.changeSlug(of: alpha.id, to: "Admin")
        }
        #expect(throws: CatalogError.storeNotFound(id: "st_aaaaaaaaaaaaaaaa")) {
            try platform.catalog.changeSlug(of: "st_aaaaaaaaaaaaaaaa", to: "charlie")
        }
    }

    @Test func planStatusAndActivationChanges() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")

        #expect(try platform.catalog.updatePlan(of: store.id, to: .premium).plan == .premium)
        #expect(try platform.catalog.updateStatus(of: store.id, to: .suspended).status == .suspended)
        let active = try platform.catalog.activate(store.id, plan: .pro)
        #expect(active.status == .active)
        #expect(active.plan == .pro)
    }

    @Test func trialExpiresWhenNextRead() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")

        platform.clock.advance(by: 14 * 86_400 - 1)
        #expect(try platform.catalog.store(id: store.id)?.status == .trialing)

        platform.clock.advance(by: 1)
        let expired = try #require(try platform.catalog.store(id: store.id))
        #expect(expired.status == .expired)
        // The change is stored, not only reported: another connection reads it.
        let second = try platform.openSecondCatalog()
        let stored = try second.queue.read { database in
            try database.scalar("SELECT status FROM stores WHERE id = ?", store.id, as: String.self)
        }
        #expect(stored == "expired")
        // Nothing else changed.
        #expect(expired.slug == "demo")
        #expect(expired.state == .ready)
    }

    @Test func trialExtensionRevivesExpiredStore() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        platform.clock.advance(by: 15 * 86_400)
        #expect(try platform.catalog.store(id: store.id)?.status == .expired)

        let extended = try platform.catalog.updateTrialEnd(of: store.id, to: platform.clock.now().addingTimeInterval(7 * 86_400))
        #expect(extended.status == .trialing)

        // An active store keeps its status when its trial date changes.
        try platform.catalog.activate(store.id, plan: .plus)
        let active = try platform.catalog.updateTrialEnd(of: store.id, to: platform.clock.now().addingTimeInterval(-86_400))
        #expect(active.status == .active)
    }

    @Test func expireEndedTrialsSweepsAll() throws {
        let platform = try TestPlatform()
        try platform.createStore("alpha")
        try platform.createStore("bravo")
        let charlie = try platform.createStore("charlie")
        try platform.catalog.activate(charlie.id, plan: .pro)

        platform.clock.advance(by: 20 * 86_400)
        #expect(try platform.catalog.expireEndedTrials() == 2)
        #expect(try platform.catalog.expireEndedTrials() == 0)
        let statuses = try platform.catalog.listStores().stores.map(\.status)
        #expect(statuses == [.expired, .expired, .active])
    }

    @Test func touchWritesAtMostOncePerMinute() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        let start = platform.clock.now()

        try platform.catalog.touch(store.id)
        #expect(try platform.catalog.store(id: store.id)?.lastActiveAt == start)

        platform.clock.advance(by: 30)
        try platform.catalog.touch(store.id)
        #expect(try platform.catalog.store(id: store.id)?.lastActiveAt == start)

        platform.clock.advance(by: 30)
        try platform.catalog.touch(store.id)
        #expect(try platform.catalog.store(id: store.id)?.lastActiveAt == start.addingTimeInterval(60))
    }
}

@Suite struct CatalogDomainTests {
    @Test func firstDomainBecomesPrimary() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo", plan: .pro)

        let first = try platform.catalog.addDomain("WWW.Demo-Shop.COM.", to: store.id)
        #expect(first.hostname == "www.demo-shop.com")
        #expect(first.isPrimary)
        #expect(!first.verified)
        let second = try platform.catalog.addDomain("demo-shop.com", to: store.id)
        #expect(!second.isPrimary)

        try platform.catalog.setPrimaryDomain("demo-shop.com", of: store.id)
        let domains = try platform.catalog.domains(of: store.id)
        #expect(domains.map(\.hostname) == ["demo-shop.com", "www.demo-shop.com"])
        #expect(domains.map(\.isPrimary) == [true, false])

        try platform.catalog.removeDomain("demo-shop.com", from: store.id)
        let remaining = try platform.catalog.domains(of: store.id)
        #expect(remaining.map(\.hostname) == ["www.demo-shop.com"])
        #expect(remaining.first?.isPrimary == true)
    }

    @Test func addingPrimaryMovesTheMark() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo", plan: .premium)
        try platform.catalog.addDomain("a.example", to: store.id)
        try platform.catalog.addDomain("b.example", to: store.id, primary: true)
        let primaries = try platform.catalog.domains(of: store.id).filter(\.isPrimary).map(\.hostname)
        #expect(primaries == ["b.example"])
    }

    @Test func domainRulesRejectBadNames() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo", plan: .premium)
        let other = try platform.createStore("other", plan: .premium)
        try platform.catalog.addDomain("taken.example", to: other.id)

        let cases: [(String, CatalogError)] = [
            ("shop.test", .domainUnderPlatform(hostname: "shop.test", platformDomain: "shop.test")),
            ("demo.shop.test", .domainUnderPlatform(hostname: "demo.shop.test", platformDomain: "shop.test")),
            ("www.shop.test", .domainUnderPlatform(hostname: "www.shop.test", platformDomain: "shop.test")),
            ("taken.example", .domainTaken(hostname: "taken.example")),
            ("TAKEN.example.", .domainTaken(hostname: "taken.example")),
        ]
        for (input, expected) in cases {
            #expect(throws: expected, "\(input)") {
                try platform.catalog.addDomain(input, to: store.id)
            }
        }
        for input in ["localhost", "10.0.0.1", "[::1]", "bad..name", "under_score.example", ""] {
            #expect(throws: CatalogError.self, "\(input)") {
                try platform.catalog.addDomain(input, to: store.id)
            }
        }
        // A pasted web address gets a message about the address, not about a port.
        for input in ["http://shop.example.com", "https://shop.example.com/", "shop.example.com/store"] {
            let error = #expect(throws: CatalogError.self, "\(input)") {
                try platform.catalog.addDomain(input, to: store.id)
            }
            #expect(error?.description.contains("without http://") == true, "\(String(describing: error))")
        }
        // A name that merely ends in the platform domain's letters is fine.
        #expect(try platform.catalog.addDomain("evilshop.test", to: store.id).hostname == "evilshop.test")
        #expect(throws: CatalogError.domainAlreadyAdded(hostname: "evilshop.test", storeID: store.id)) {
            try platform.catalog.addDomain("evilshop.test", to: store.id)
        }
        #expect(throws: CatalogError.storeNotFound(id: "st_aaaaaaaaaaaaaaaa")) {
            try platform.catalog.addDomain("new.example", to: "st_aaaaaaaaaaaaaaaa")
        }
        #expect(throws: CatalogError.domainNotFound(hostname: "taken.example", storeID: store.id)) {
            try platform.catalog.removeDomain("taken.example", from: store.id)
        }
    }

    @Test func planLimitsCustomDomains() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo", plan: .plus)
        try platform.catalog.addDomain("one.example", to: store.id)
        #expect(throws: CatalogError.domainLimitReached(storeID: store.id, plan: .plus, limit: 1)) {
            try platform.catalog.addDomain("two.example", to: store.id)
        }

        try platform.catalog.updatePlan(of: store.id, to: .pro)
        try platform.catalog.addDomain("two.example", to: store.id)
        try platform.catalog.addDomain("three.example", to: store.id)
        #expect(throws: CatalogError.domainLimitReached(storeID: store.id, plan: .pro, limit: 3)) {
            try platform.catalog.addDomain("four.example", to: store.id)
        }
        #expect(try platform.catalog.domains(of: store.id).count == 3)
    }

    @Test func deletingStoreRemovesDomains() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("demo")
        try platform.catalog.addDomain("demo.example", to: store.id)
        try platform.provisioner.delete(store.id)
        #expect(try platform.catalog.store(domain: "demo.example") == nil)
        let count = try platform.catalog.queue.read { try $0.scalar("SELECT count(*) FROM domains", as: Int.self) }
        #expect(count == 0)
    }
}
