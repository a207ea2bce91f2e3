import Commerce
import Foundation
import SQLite
import Tenancy
import Testing
@testable import StorefleetApp

/// A store ready to sell through the real server: two products, one shipping method for
/// Spain and Portugal, and bank transfer enabled with instructions.
struct ShopFixture {
    let app: TestApp
    let store: StoreRecord
    let mug: Product
    let lamp: Product
    let standardShippingID: Int64
    let bankTransferID: Int64

    static let instructions = "Transfer the total to IBAN ES91 2100 0418 4502 0005 1332 with your order number."

    var host: String { TestApp.host(store.slug) }

    init(app: TestApp, slug: String = "alpha", mugStock: Int = 10, lampStock: Int = 5) throws {
        self.app = app
        store = try app.createStore(slug, name: "Store \(slug)")
        mug = try app.withProducts(store) { products in
            try products.create(ProductInput(title: "Camp Mug", price: 1250, sku: "MUG-1", stock: mugStock))
        }
        lamp = try app.withProducts(store) { products in
            try products.create(ProductInput(title: "Trail Lamp", price: 3000, sku: "LAMP-1", stock: lampStock))
        }
        (standardShippingID, bankTransferID) = try app.app.pool.withStore(store.id) { queue in
            try queue.write { database in
                let shipping = try ShippingMethodStore(database: database).create(ShippingMethodInput(
                    name: "Standard", price: 500, freeFromSubtotal: 20_000, countries: .only(["ES", "PT"])
                ))
                let payments = PaymentMethodStore(database: database)
                let bank = try #require(try payments.find(kind: .bankTransfer))
                try payments.update(id: bank.id, with: PaymentMethodInput(
                    name: "Bank transfer", instructions: Self.instructions, isEnabled: true
                ))
                return (shipping.id, bank.id)
            }
        }
    }

    /// Runs `body` in a write transaction of the store's file.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try app.app.pool.withStore(store.id) { queue in try queue.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try app.app.pool.withStore(store.id) { queue in try queue.read(body) }
    }

    func stock(_ product: Product) throws -> Int? {
        try app.product(store, id: product.id)?.stock
    }

    func orderCount() throws -> Int {
        try read { try $0.scalar("SELECT count(*) FROM orders", as: Int.self) ?? 0 }
    }

    func order(number: Int64) throws -> Order? {
        try read { try OrderStore(database: $0).find(number: number) }
    }

    func saveSettings(_ change: (inout StoreSettings) -> Void) throws {
        try write { database in
            var settings = try StoreSettings.load(from: database)
            change(&settings)
            try settings.save(to: database)
        }
    }

    /// The checkout form's fields for a guest in Madrid, as a person fills them in.
    func detailFields(email: String = "ana@example.com", name: String = "Ana Ruiz") -> [(String, String)] {
        [
            ("email", email),
            ("shipping_name", name), ("shipping_line1", "Calle Mayor 1"), ("shipping_line2", ""),
            ("shipping_city", "Madrid"), ("shipping_postal_code", "28013"), ("shipping_region", "Madrid"),
            ("shipping_country", "ES"),
            ("billing_same", "1"),
            ("shipping_method", String(standardShippingID)),
            ("payment_method", String(bankTransferID)),
            ("notes", "Please ring twice."),
        ]
    }

    /// The folder where the file transport writes this store's mail.
    var mailFolder: URL {
        app.dataDirectory.appendingPathComponent("outbox", isDirectory: true).appendingPathComponent(store.id, isDirectory: true)
    }
}

extension HTTPClient {
    /// Adds a product to the cart through the product page's form, with its CSRF token.
    @discardableResult
    func addToCart(_ product: Product, quantity: Int = 1, host: String) throws -> HTTPResponse {
        let page = try get("/products/\(product.slug)", host: host)
        guard page.status == 200 else { throw TestFailure("the product page answered \(page.summary)") }
        return try post("/cart/add", host: host, form: [
            ("csrf_token", try page.csrfToken()), ("product_id", String(product.id)), ("quantity", String(quantity)),
        ])
    }

    /// Loads the checkout form and posts `fields` to it, returning the review page (or the
    /// form again with its errors).
    func reviewOrder(host: String, fields: [(String, String)]) throws -> HTTPResponse {
        let form = try get("/checkout", host: host)
        guard form.status == 200 else { throw TestFailure("the checkout form answered \(form.summary)") }
        return try post("/checkout", host: host, form: [("csrf_token", try form.csrfToken()), ("action", "review")] + fields)
    }

    /// Puts one `product` in the cart, fills the checkout with `shop`'s details, and
    /// places the order. Returns the review page and the response to "Place order".
    @discardableResult
    func buy(_ product: Product, in shop: ShopFixture) throws -> (review: HTTPResponse, placed: HTTPResponse) {
        try addToCart(product, host: shop.host)
        let review = try reviewOrder(host: shop.host, fields: shop.detailFields())
        guard review.status == 200 else { throw TestFailure("the review page answered \(review.summary)") }
        return (review, try placeOrder(from: review, host: shop.host))
    }

    /// Posts the review page's form to `/checkout/place` exactly as its button does, with
    /// `extra` fields appended and `replacing` values swapped in.
    func placeOrder(from review: HTTPResponse, host: String, extra: [(String, String)] = [], replacing: [String: String] = [:]) throws -> HTTPResponse {
        var fields = HTML.hiddenInputs(in: review.text)
        fields = fields.map { (name, value) in (name, replacing[name] ?? value) }
        return try post("/checkout/place", host: host, form: fields + extra)
    }
}

extension HTML {
    /// Returns the name and value of every hidden input on the page, in page order.
    static func hiddenInputs(in page: String) -> [(String, String)] {
        tags("input", in: page).compactMap { tag in
            guard attribute("type", of: tag) == "hidden", let name = attribute("name", of: tag) else { return nil }
            return (name, attribute("value", of: tag).map(unescape) ?? "")
        }
    }
}

/// One `.eml` file as the file transport wrote it, decoded enough to check it: unfolded
/// header fields and each MIME part's text.
struct ReceivedMail {
    let headers: [(name: String, value: String)]
    /// The decoded parts by content type: `text/plain` and `text/html`.
    let parts: [String: String]

    init(file: URL) throws {
        let raw = try String(contentsOf: file, encoding: .utf8)
        guard let split = raw.range(of: "\r\n\r\n") else { throw TestFailure("no header end in \(file.lastPathComponent)") }
        headers = Self.parseHeaders(String(raw[..<split.lowerBound]))
        let body = String(raw[split.upperBound...])

        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        guard let boundaryStart = contentType.range(of: "boundary=\"") else {
            throw TestFailure("expected a multipart/alternative message, got Content-Type \(contentType)")
        }
        let boundary = String(contentType[boundaryStart.upperBound...].prefix { $0 != "\"" })
        var parts: [String: String] = [:]
        for section in body.components(separatedBy: "--" + boundary).dropFirst() where !section.hasPrefix("--") {
            guard let partSplit = section.range(of: "\r\n\r\n") else { continue }
            let partHeaders = Self.parseHeaders(String(section[..<partSplit.lowerBound]).trimmingCharacters(in: .newlines))
            let type = partHeaders.first { $0.name.lowercased() == "content-type" }?.value.split(separator: ";").first.map(String.init) ?? ""
            parts[type] = Self.decodeQuotedPrintable(String(section[partSplit.upperBound...]))
        }
        self.parts = parts
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { parts["text/plain"] ?? "" }
    var html: String { parts["text/html"] ?? "" }

    private static func parseHeaders(_ text: String) -> [(name: String, value: String)] {
        // RFC 5322, section 2.2.3: a line that starts with white space continues the field.
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(of: "\r\n\t", with: " ")
        return unfolded.components(separatedBy: "\r\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// Decodes quoted-printable text (RFC 2045, section 6.7): `=XX` bytes and `=` soft
    /// line breaks; CRLF line ends become LF.
    static func decodeQuotedPrintable(_ text: String) -> String {
        var bytes: [UInt8] = []
        let source = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "="), index + 2 < source.count,
               let value = UInt8(String(decoding: source[(index + 1)...(index + 2)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index += 3
            } else {
                bytes.append(byte)
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
    }
}

/// Waits until `folder` contains at least `count` `.eml` files, checking every 50 ms for at
/// most `seconds`, and returns them sorted by name.
func waitForMailFiles(in folder: URL, count: Int, seconds: Double = 10) throws -> [URL] {
    let deadline = Date().addingTimeInterval(seconds)
    while true {
        let files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "eml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        if files.count >= count || Date() > deadline {
            return files
        }
        Thread.sleep(forTimeInterval: 0.05)
    }
}
