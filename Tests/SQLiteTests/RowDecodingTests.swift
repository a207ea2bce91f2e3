import Foundation
import Testing
@testable import SQLite

private enum OrderStatus: String, Codable {
    case pending, paid, shipped
}

private struct Order: Decodable, Equatable {
    let id: Int64
    let customerEmail: String
    let totalMinor: Int
    let currency: String
    let status: OrderStatus
    let placedAt: Date
    let note: String?
    let isGift: Bool
    let weight: Double
    let attachment: [UInt8]?
    let signature: Data?
    let quantity: UInt16

    enum CodingKeys: String, CodingKey {
        case id
        case customerEmail = "customer_email"
        case totalMinor = "total_minor"
        case currency, status
        case placedAt = "placed_at"
        case note
        case isGift = "is_gift"
        case weight, attachment, signature, quantity
    }
}

private struct Product: RowDecodable, Equatable {
    let id: Int64
    let title: String
    let price: Int

    init(id: Int64, title: String, price: Int) {
        self.id = id
        self.title = title
        self.price = price
    }

    init(row: Row) throws {
        id = try row.get("id")
        title = try row.get("title")
        price = try row.get("price")
    }
}

@Suite struct RowDecodingTests {
    private let placedAt = Date(timeIntervalSince1970: 1_714_571_130.25)

    private func withOrders(_ body: (Database) throws -> Void) throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("""
                CREATE TABLE "order"(
                    id INTEGER PRIMARY KEY, customer_email TEXT NOT NULL, total_minor INTEGER NOT NULL,
                    currency TEXT NOT NULL, status TEXT NOT NULL, placed_at TEXT NOT NULL, note TEXT,
                    is_gift INTEGER NOT NULL, weight REAL NOT NULL, attachment BLOB, signature BLOB,
                    quantity INTEGER NOT NULL
                )
                """)
            try database.run("""
                INSERT INTO "order"(customer_email, total_minor, currency, status, placed_at, note, is_gift, weight, attachment, signature, quantity)
                VALUES (:email, :total, :currency, :status, :placed, :note, :gift, :weight, :attachment, :signature, :quantity)
                """, [
                    "email": "ana@example.com", "total": 4599, "currency": "EUR", "status": "paid",
                    "placed": placedAt, "note": nil, "gift": true, "weight": 1.25,
                    "attachment": [UInt8]([1, 2, 3]), "signature": nil, "quantity": 3,
                ])
            try body(database)
        }
    }

    @Test func columnLookupPrefersExactNameThenIgnoresCase() {
        let row = Row(columnNames: ["name", "slug", "Title", "title", "PRICE", "é"], values: [.text("a"), .text("b"), .text("c"), .text("d"), .integer(5), .text("e")], sql: "SELECT …")
        #expect(row.index(ofColumn: "slug") == 1)
        #expect(row.index(ofColumn: "name") == 0)
        #expect(row.index(ofColumn: "title") == 3)
        #expect(row.index(ofColumn: "Title") == 2)
        #expect(row.index(ofColumn: "price") == 4)
        #expect(row.index(ofColumn: "TITLE") == 2)
        #expect(row.index(ofColumn: "é") == 5)
        #expect(row.index(ofColumn: "sku") == nil)
        #expect(row.index(ofColumn: "") == nil)
        #expect((try? row.get("price", as: Int.self)) == 5)
        #expect((try? row.get("slug", as: String?.self)) == "b")
    }

    @Test func decodableReadsEveryColumnType() throws {
        try withOrders { database in
            let orders = try database.query("SELECT * FROM \"order\"") { try $0.decode(Order.self) }
            #expect(orders == [Order(
                id: 1, customerEmail: "ana@example.com", totalMinor: 4599, currency: "EUR", status: .paid,
                placedAt: placedAt, note: nil, isGift: true, weight: 1.25, attachment: [1, 2, 3], signature: nil, quantity: 3
            )])
        }
    }

    @Test func missingOptionalColumnIsNil() throws {
        try withOrders { database in
            struct Summary: Decodable { let id: Int; let note: String? }
            let summary = try database.queryFirst("SELECT id FROM \"order\"") { try $0.decode(Summary.self) }
            #expect(summary?.id == 1)
            #expect(summary?.note == nil)
        }
    }

    @Test func missingRequiredColumnNamesColumn() throws {
        try withOrders { database in
            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT id, customer_email FROM \"order\"") { try $0.decode(Order.self) }
            }
            #expect(error?.kind == .columnNotFound)
            #expect(error?.column == "total_minor")
            #expect(error?.availableColumns == ["id", "customer_email"])
            #expect(error?.description.contains("column \"total_minor\" not found") == true)
        }
    }

    @Test func nullInRequiredPropertyNamesColumn() throws {
        try withOrders { database in
            struct Strict: Decodable { let note: String }
            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT note FROM \"order\"") { try $0.decode(Strict.self) }
            }
            #expect(error?.kind == .unexpectedNull)
            #expect(error?.column == "note")
            #expect(error?.expectedType == "String")
        }
    }

    @Test func wrongTypeNamesColumn() throws {
        try withOrders { database in
            struct Wrong: Decodable { let currency: Int }
            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT currency FROM \"order\"") { try $0.decode(Wrong.self) }
            }
            #expect(error?.kind == .typeMismatch(storageClass: "text", reason: nil))
            #expect(error?.description.contains("column \"currency\" holds a text value that cannot be read as Int") == true)
            #expect(error?.description.contains("EUR") == false)
        }
    }

    @Test func invalidEnumValueIsAnError() throws {
        try withOrders { database in
            try database.run("UPDATE \"order\" SET status = 'lost'")
            #expect(throws: DecodingError.self) {
                _ = try database.query("SELECT * FROM \"order\"") { try $0.decode(Order.self) }
            }
        }
    }

    @Test func nestedStructureIsRejected() throws {
        try withOrders { database in
            struct Money: Decodable { let amount: Int; let currency: String }
            struct Priced: Decodable { let total: Money }
            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT total_minor AS total FROM \"order\"") { try $0.decode(Priced.self) }
            }
            #expect(error?.column == "total")
            #expect(error?.description.contains("keyed container") == true)
        }
    }

    @Test func singleColumnDecodesAsValue() throws {
        try withOrders { database in
            let totals = try database.query("SELECT total_minor FROM \"order\"") { try $0.decode(Int.self) }
            #expect(totals == [4599])
            let statuses = try database.query("SELECT status FROM \"order\"") { try $0.decode(OrderStatus.self) }
            #expect(statuses == [.paid])
            #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT id, status FROM \"order\"") { try $0.decode(Int.self) }
            }
        }
    }

    @Test func rowDecodableReadsByHand() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            try database.execute("CREATE TABLE product(id INTEGER PRIMARY KEY, title TEXT NOT NULL, price INTEGER NOT NULL)")
            try database.run("INSERT INTO product(title, price) VALUES (?, ?), (?, ?)", "Mug", 1200, "Cap", 900)
            let products = try database.query("SELECT id, title, price FROM product ORDER BY price") { try Product(row: $0) }
            #expect(products == [Product(id: 2, title: "Cap", price: 900), Product(id: 1, title: "Mug", price: 1200)])

            let error = #expect(throws: RowDecodingError.self) {
                _ = try database.query("SELECT id, title FROM product") { try Product(row: $0) }
            }
            #expect(error?.column == "price")
        }
    }

    @Test func rowAccessors() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            let row = try #require(try database.queryFirst("SELECT 1 AS Id, 'x' AS name, NULL AS gone") { $0 })
            #expect(row.columnNames == ["Id", "name", "gone"])
            #expect(row[0] == .integer(1))
            #expect(row["ID"] == .integer(1))
            #expect(row["missing"] == nil)
            #expect(try row.get("id", as: Int.self) == 1)
            #expect(try row.get(1, as: String.self) == "x")
            #expect(try row.get("gone", as: String?.self) == nil)
            #expect(throws: RowDecodingError.self) { try row.get(7, as: Int.self) }
        }
    }
}
