import Commerce
import Crypto
import Foundation
import SQLite
import Testing
import Tenancy
@testable import StorefleetApp

@Suite struct SampleStoreTests {
    @Test func sampleStoreCanTakeOrders() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sample-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let dataDirectory = DataDirectory(path: folder.path)
        try FileManager.default.createDirectory(at: dataDirectory.storesFolder, withIntermediateDirectories: true)
        let catalog = try Catalog(dataDirectory: dataDirectory, platformDomain: "shop.test")
        let provisioner = Provisioner(catalog: catalog, dataDirectory: dataDirectory, logger: .silent) { try StoreSchema.migrate($0) }

        var new = NewStore(slug: "sample", name: "Sample", ownerEmail: "owner@sample.example", password: "correct-horse-battery")
        new.sampleProducts = true
        let created = try Application.createStore(
            new, provisioner: provisioner, passwordHasher: PasswordHasher(policy: .insecureFastForTesting), now: Date()
        )

        let queue = try DatabaseQueue(path: dataDirectory.storeDatabasePath(created.store.id))
        let (products, shipping, payments) = try queue.read { database in
            (
                try ProductStore(database: database).counts().total,
                try ShippingMethodStore(database: database).available(for: "US", subtotal: 1_000),
                try PaymentMethodStore(database: database).enabled()
            )
        }
        #expect(products == 24)
        #expect(shipping.count == 1)
        #expect(shipping.first?.price == 500)
        #expect(Set(payments.map(\.kind)) == [.bankTransfer, .cashOnDelivery])
        #expect(payments.first { $0.kind == .bankTransfer }?.instructions.isEmpty == false)
    }
}
