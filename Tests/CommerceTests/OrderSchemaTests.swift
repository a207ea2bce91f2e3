@testable import Commerce
import Foundation
import SQLite
import Testing

@Suite struct OrderSchemaTests {
    @Test func versionOneFileGainsOrderTables() throws {
        let store = try TestStore(migrate: false)
        var versionOne = Migrator()
        versionOne.register(StoreSchema.migrations[0].name, sql: StoreSchema.migrations[0].sql)
        try versionOne.migrate(store.database)
        let product = try store.products.create(ProductInput(title: "Camp Mug", price: 1250, stock: 3))

        let applied = try StoreSchema.migrate(store.database)
        #expect(applied == ["shipping, payments, carts, orders and outbox", "the order each cart became", "the language each order was placed in"])
        #expect(try store.products.find(id: product.id) == product)
        #expect(try store.paymentMethods.list().count == 3)

        let tables = try store.database.query("SELECT name FROM sqlite_schema WHERE type = 'table'") {
            try $0.get("name", as: String.self)
        }
        for table in ["shipping_methods", "payment_methods", "carts", "cart_lines", "orders", "order_lines", "order_events", "outbox"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
        let cartColumns = try store.database.query("SELECT name FROM pragma_table_info('carts')") { try $0.get("name", as: String.self) }
        #expect(cartColumns.suffix(3) == ["placed_order_id", "placed_fingerprint", "placed_at"])
        let orderColumns = try store.database.query("SELECT name FROM pragma_table_info('orders')") { try $0.get("name", as: String.self) }
        #expect(orderColumns.last == "language")
    }

    @Test func tablesRejectInvalidRows() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 1)])
        let database = shop.store.database

        #expect(throws: SQLiteError.self) {
            try database.run("UPDATE orders SET status = 'lost' WHERE id = ?", order.id)
        }
        #expect(throws: SQLiteError.self) {
            try database.run("UPDATE orders SET number = 1000 WHERE id = ?", order.id)
        }
        #expect(throws: SQLiteError.self) {
            try database.run("UPDATE order_lines SET quantity = 0 WHERE order_id = ?", order.id)
        }
        #expect(throws: SQLiteError.self) {
            try database.run("INSERT INTO outbox (kind, to_address, subject, text_body, status, next_attempt_at, created_at) VALUES ('x', 'a@b.example', 's', 't', 'lost', '', '')")
        }
        #expect(throws: SQLiteError.self) {
            try database.run("INSERT INTO order_events (order_id, kind, actor, message, created_at) VALUES (?, 'refunded', 'system', '', '')", order.id)
        }
    }

    @Test func deletingProductKeepsOrderLine() throws {
        let shop = try Shop()
        let order = try shop.buy([(shop.mug, 2)])
        try shop.store.products.delete(id: shop.mug.id)
        let reloaded = try #require(try shop.store.orders.find(id: order.id))
        #expect(reloaded.lines.first?.productID == nil)
        #expect(reloaded.lines.first?.title == "Camp Mug")
        #expect(reloaded.lines.first?.unitPrice == 1250)
        #expect(reloaded.total == order.total)
    }
}
