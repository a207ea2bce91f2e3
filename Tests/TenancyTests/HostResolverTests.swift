import Foundation
import Synchronization
import Testing
@testable import Tenancy

@Suite struct HostResolverTests {
    @Test func resolutionTable() throws {
        let platform = try TestPlatform()
        let demo = try platform.createStore("demo", plan: .pro)
        let shop = try platform.createStore("shop")
        try platform.catalog.addDomain("www.demo-shop.com", to: demo.id)
        let resolver = HostResolver(catalog: platform.catalog)

        let cases: [(String, HostResolution)] = [
            ("shop.test", .platform),
            ("SHOP.TEST.", .platform),
            ("shop.test:8080", .platform),
            ("www.shop.test", .platform),
            ("WWW.shop.test.:443", .platform),
            ("demo.shop.test", .store(demo)),
            ("DEMO.SHOP.TEST:8080", .store(demo)),
            ("demo.shop.test.", .store(demo)),
            ("shop.shop.test", .store(shop)),
            ("www.demo-shop.com", .store(demo)),
            ("WWW.DEMO-SHOP.COM:80", .store(demo)),
            ("evilshop.test", .unknown(hostname: "evilshop.test")),
            ("demo.evilshop.test", .unknown(hostname: "demo.evilshop.test")),
            ("a.demo.shop.test", .unknown(hostname: "a.demo.shop.test")),
            ("missing.shop.test", .unknown(hostname: "missing.shop.test")),
            ("foo.bar.com", .unknown(hostname: "foo.bar.com")),
            ("demo-shop.com", .unknown(hostname: "demo-shop.com")),
            ("shop.test.evil.com", .unknown(hostname: "shop.test.evil.com")),
            ("127.0.0.1", .invalid(.ipAddress(.ipv4("127.0.0.1")))),
            ("127.0.0.1:8080", .invalid(.ipAddress(.ipv4("127.0.0.1")))),
            ("[::1]", .invalid(.ipAddress(.ipv6("::1")))),
            ("[::1]:8080", .invalid(.ipAddress(.ipv6("::1")))),
            ("", .invalid(.malformed(HostNameError(host: "", reason: .empty)))),
            ("demo..shop.test", .invalid(.malformed(HostNameError(host: "demo..shop.test", reason: .emptyLabel)))),
            ("demo.shop.test:x", .invalid(.malformed(HostNameError(host: "demo.shop.test:x", reason: .invalidPort)))),
            ("demo shop.test", .invalid(.malformed(HostNameError(host: "demo shop.test", reason: .invalidCharacter)))),
        ]
        for (header, expected) in cases {
            #expect(try resolver.resolve(header) == expected, "\(header)")
        }
        // The same table again is served from the cache with the same results.
        for (header, expected) in cases {
            #expect(try resolver.resolve(header) == expected, "\(header) from cache")
        }
        #expect(resolver.statistics.hits > 0)
    }

    @Test func storeBeingCreatedIsUnknown() throws {
        let platform = try TestPlatform()
        let resolver = HostResolver(catalog: platform.catalog)
        var creatingResolution: HostResolution?
        try platform.provisioner.create(slug: "demo", name: "Demo", ownerEmail: "o@demo.example", plan: .plus) { database, store in
            try seedMarker(database, store)
            creatingResolution = try resolver.resolve("demo.shop.test")
        }
        #expect(creatingResolution == .unknown(hostname: "demo.shop.test"))
        guard case .store(let store) = try resolver.resolve("demo.shop.test") else {
            Issue.record("a ready store did not resolve")
            return
        }
        #expect(store.state == .ready)
    }

    @Test func domainMovedByOtherConnectionTakesEffect() throws {
        let platform = try TestPlatform()
        let storeA = try platform.createStore("alpha", plan: .pro)
        let storeB = try platform.createStore("bravo", plan: .pro)
        try platform.catalog.addDomain("shop.example.com", to: storeA.id)
        let resolver = HostResolver(catalog: platform.catalog)

        #expect(try resolver.resolve("shop.example.com") == .store(storeA))
        #expect(try resolver.resolve("shop.example.com") == .store(storeA))
        let hitsBefore = resolver.statistics.hits

        // The command line runs in another process with its own connection.
        let commandLine = try platform.openSecondCatalog()
        try commandLine.removeDomain("shop.example.com", from: storeA.id)
        try commandLine.addDomain("shop.example.com", to: storeB.id)

        #expect(try resolver.resolve("shop.example.com") == .store(storeB))
        #expect(resolver.statistics.invalidations >= 1)
        #expect(resolver.statistics.hits == hitsBefore)
    }

    @Test func changesSeenByEveryThread() throws {
        let platform = try TestPlatform()
        let storeA = try platform.createStore("alpha", plan: .pro)
        let storeB = try platform.createStore("bravo", plan: .pro)
        try platform.catalog.addDomain("moving.example", to: storeA.id)
        let resolver = HostResolver(catalog: platform.catalog)
        #expect(try resolver.resolve("moving.example") == .store(storeA))

        let commandLine = try platform.openSecondCatalog()
        try commandLine.removeDomain("moving.example", from: storeA.id)
        try commandLine.addDomain("moving.example", to: storeB.id)

        // Every thread's first resolution after the commit returns the new owner.
        let wrong = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let resolution = try? resolver.resolve("moving.example")
            if resolution != .store(storeB) {
                wrong.withLock { $0 += 1 }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
    }

    @Test func slugChangeInSameProcessTakesEffect() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("alpha")
        let resolver = HostResolver(catalog: platform.catalog)
        #expect(try resolver.resolve("alpha.shop.test") == .store(store))

        let renamed = try platform.catalog.changeSlug(of: store.id, to: "bravo")
        #expect(try resolver.resolve("alpha.shop.test") == .unknown(hostname: "alpha.shop.test"))
        #expect(try resolver.resolve("bravo.shop.test") == .store(renamed))
    }

    @Test func slugChangeFromOtherConnectionTakesEffect() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("alpha")
        let resolver = HostResolver(catalog: platform.catalog)
        #expect(try resolver.resolve("alpha.shop.test") == .store(store))
        #expect(try resolver.resolve("bravo.shop.test") == .unknown(hostname: "bravo.shop.test"))

        let commandLine = try platform.openSecondCatalog()
        try commandLine.changeSlug(of: store.id, to: "bravo")

        #expect(try resolver.resolve("alpha.shop.test") == .unknown(hostname: "alpha.shop.test"))
        guard case .store(let moved) = try resolver.resolve("bravo.shop.test") else {
            Issue.record("the new slug did not resolve")
            return
        }
        #expect(moved.id == store.id)
    }

    @Test func suspensionFromOtherConnectionIsSeen() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("alpha")
        let resolver = HostResolver(catalog: platform.catalog)
        _ = try resolver.resolve("alpha.shop.test")

        let commandLine = try platform.openSecondCatalog()
        try commandLine.updateStatus(of: store.id, to: .suspended)

        guard case .store(let resolved) = try resolver.resolve("alpha.shop.test") else {
            Issue.record("the store did not resolve")
            return
        }
        #expect(resolved.status == .suspended)
    }

    @Test func cachedTrialExpiresOnResolve() throws {
        let platform = try TestPlatform()
        let store = try platform.createStore("alpha")
        let resolver = HostResolver(catalog: platform.catalog)
        guard case .store(let fresh) = try resolver.resolve("alpha.shop.test") else {
            Issue.record("the store did not resolve")
            return
        }
        #expect(fresh.status == .trialing)

        platform.clock.advance(by: 14 * 86_400)
        guard case .store(let expired) = try resolver.resolve("alpha.shop.test") else {
            Issue.record("the store did not resolve after its trial")
            return
        }
        #expect(expired.status == .expired)
        #expect(try platform.openSecondCatalog().store(id: store.id)?.status == .expired)
    }

    @Test func cacheStaysBounded() throws {
        let platform = try TestPlatform()
        let resolver = HostResolver(catalog: platform.catalog, maximumCachedNames: 4)
        for index in 0..<20 {
            #expect(try resolver.resolve("unknown\(index).example") == .unknown(hostname: "unknown\(index).example"))
        }
        #expect(resolver.statistics.misses == 20)
        #expect(try resolver.resolve("unknown19.example") == .unknown(hostname: "unknown19.example"))
        #expect(resolver.statistics.hits == 1)
    }
}
