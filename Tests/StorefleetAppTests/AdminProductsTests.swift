import Commerce
import Foundation
import Testing

/// The admin's product pages, driven through their forms.
@Suite struct AdminProductsTests {
    private let host = TestApp.host("alpha")

    /// Returns the fields of the product form as a browser sends them. Like a browser, it
    /// leaves out `visible` when the box is unticked.
    private func productFields(
        title: String, slug: String = "", description: String = "", price: String, compareAt: String = "",
        sku: String = "", stock: String = "0", visible: Bool = true
    ) -> [(String, String)] {
        var fields = [("title", title), ("slug", slug), ("description", description), ("price", price),
                      ("compare_at_price", compareAt), ("sku", sku), ("stock", stock)]
        if visible { fields.append(("visible", "1")) }
        return fields
    }

    private func filesFolder(_ app: TestApp, _ storeID: String) -> URL {
        app.dataDirectory.appendingPathComponent("stores/\(storeID)/files", isDirectory: true)
    }

    private func productID(fromEditLocation location: String?) throws -> Int64 {
        let location = try #require(location)
        let parts = location.split(separator: "/")
        guard parts.count == 4, parts[0] == "admin", parts[1] == "products", parts[3] == "edit?saved=1", let id = Int64(parts[2]) else {
            throw TestFailure("not an edit page location: \(location)")
        }
        return id
    }

    @Test func createWithImageThenServeTheImage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let form = try browser.get("/admin/products/new", host: host)
        #expect(form.status == 200)
        #expect(form.pageText.contains("New product"))
        #expect(form.pageText.contains("Price (USD)"))

        var body = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(
            title: "Trail Lantern", description: "Bright for <twelve> hours & more.", price: "24.50",
            compareAt: "30", sku: "TL-1", stock: "3"
        ))
        body.addFile("image", filename: "lantern.png", contentType: "image/png", bytes: onePixelPNG)
        let created = try browser.post("/admin/products", host: host, multipart: body)
        #expect(created.status == 303)
        let id = try productID(fromEditLocation: created.location)

        let product = try #require(try app.product(store, id: id))
        #expect(product.title == "Trail Lantern")
        #expect(product.slug == "trail-lantern")
        #expect(product.price == 2_450)
        #expect(product.compareAtPrice == 3_000)
        #expect(product.sku == "TL-1")
        #expect(product.stock == 3)
        #expect(product.isVisible)
        let imageName = try #require(product.imageFileName)
        #expect(imageName.hasSuffix(".png"))
        let stored = try Data(contentsOf: filesFolder(app, store.id).appendingPathComponent(imageName))
        #expect(Array(stored) == onePixelPNG)

        let edit = try browser.get(try #require(created.location), host: host)
        #expect(edit.status == 200)
        #expect(edit.pageText.contains("Product saved."))
        #expect(HTML.inputValue(named: "title", in: edit.text) == "Trail Lantern")
        #expect(HTML.inputValue(named: "price", in: edit.text) == "24.50")
        #expect(HTML.inputValue(named: "compare_at_price", in: edit.text) == "30.00")
        #expect(HTML.textareaValue(named: "description", in: edit.text) == "Bright for <twelve> hours & more.")
        #expect(edit.text.contains("src=\"/files/\(imageName)\""))

        let image = try app.browser().get("/files/\(imageName)", host: host)
        #expect(image.status == 200)
        #expect(image.header("Content-Type") == "image/png")
        #expect(image.body == onePixelPNG)

        let page = try app.browser().get("/products/trail-lantern", host: host)
        #expect(page.status == 200)
        #expect(page.text.contains("<img src=\"/files/\(imageName)\" alt=\"Trail Lantern\">"))
        #expect(page.pageText.contains("$24.50"))
        #expect(page.pageText.contains("$30.00"))
        #expect(page.pageText.contains("<p class=\"stock low\">Only 3 left</p>"))
        // The description is escaped on the storefront, never run as markup.
        #expect(page.text.contains("Bright for &lt;twelve&gt; hours &amp; more."))

        // Another store's host does not serve this store's files.
        try app.createStore("bravo")
        #expect(try app.browser().get("/files/\(imageName)", host: TestApp.host("bravo")).status == 404)
    }

    @Test func nonImageUploadIsRejected() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)

        var body = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        body.addFile("image", filename: "lantern.png", contentType: "image/png", bytes: Array("<svg onload=alert(1)>".utf8))
        let response = try browser.post("/admin/products", host: host, multipart: body)
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("image", in: response.text) == ["lantern.png is not a PNG, JPEG, WebP or GIF image. Choose an image in one of those formats."])
        #expect(HTML.inputValue(named: "title", in: response.text) == "Trail Lantern")
        #expect(try app.withProducts(store) { try $0.count() } == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: filesFolder(app, store.id).path).isEmpty)
    }

    @Test func invalidPriceIsShownBesideTheField() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)

        let response = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(
            title: "Trail Lantern", description: "Bright.", price: "twelve", sku: "TL-1", stock: "3"
        ))
        #expect(response.status == 422)
        #expect(response.pageText.contains("Please correct the fields marked below."))
        let priceErrors = HTML.fieldErrors("price", in: response.text)
        #expect(priceErrors.count == 1)
        #expect(priceErrors.first?.hasPrefix("Price: ") == true)
        #expect(HTML.fieldErrors("title", in: response.text).isEmpty)
        #expect(HTML.inputValue(named: "title", in: response.text) == "Trail Lantern")
        #expect(HTML.inputValue(named: "price", in: response.text) == "twelve")
        #expect(HTML.inputValue(named: "sku", in: response.text) == "TL-1")
        #expect(HTML.inputValue(named: "stock", in: response.text) == "3")
        #expect(HTML.textareaValue(named: "description", in: response.text) == "Bright.")

        let empty = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(
            title: "Trail Lantern", description: "Bright.", price: "", sku: "TL-1", stock: "3"
        ))
        #expect(empty.status == 422)
        #expect(HTML.fieldErrors("price", in: empty.text) == ["Price is empty; enter a number such as 1234.50."])
        #expect(try app.withProducts(store) { try $0.count() } == 0)
    }

    @Test func emptyTitleIsShownBesideTheField() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)

        let response = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(
            title: "   ", price: "24.50", sku: "TL-1", stock: "3"
        ))
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("title", in: response.text) == ["Title is required."])
        #expect(HTML.fieldErrors("price", in: response.text).isEmpty)
        #expect(HTML.inputValue(named: "price", in: response.text) == "24.50")
        #expect(HTML.inputValue(named: "sku", in: response.text) == "TL-1")
        #expect(try app.withProducts(store) { try $0.count() } == 0)
    }

    @Test func everyInvalidFieldIsReportedAtOnce() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)

        // Two fields that cannot be read at all and three that read but fail their checks.
        let longSKU = String(repeating: "S", count: 65)
        let response = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(
            title: "", slug: "Bad Slug", price: "12.3.4", sku: longSKU, stock: "many"
        ))
        #expect(response.status == 422)
        #expect(response.pageText.contains("Please correct the fields marked below."))
        #expect(HTML.fieldErrors("title", in: response.text) == ["Title is required."])
        let priceErrors = HTML.fieldErrors("price", in: response.text)
        #expect(priceErrors.count == 1)
        #expect(priceErrors.first?.hasPrefix("Price: ") == true)
        #expect(HTML.fieldErrors("stock", in: response.text) == ["Stock must be a whole number such as 0 or 25, not “many”."])
        #expect(HTML.fieldErrors("sku", in: response.text) == ["SKU must be at most 64 characters; it has 65."])
        let slugErrors = HTML.fieldErrors("slug", in: response.text)
        #expect(slugErrors.count == 1)
        #expect(slugErrors.first?.hasPrefix("Address “Bad Slug” may contain only lower-case letters") == true)
        #expect(HTML.fieldErrors("description", in: response.text).isEmpty)
        #expect(HTML.fieldErrors("compare_at_price", in: response.text).isEmpty)

        // Every value comes back as typed, and nothing was saved.
        #expect(HTML.inputValue(named: "slug", in: response.text) == "Bad Slug")
        #expect(HTML.inputValue(named: "price", in: response.text) == "12.3.4")
        #expect(HTML.inputValue(named: "sku", in: response.text) == longSKU)
        #expect(HTML.inputValue(named: "stock", in: response.text) == "many")
        #expect(try app.withProducts(store) { try $0.count() } == 0)
    }

    @Test func editChangesTheStorefront() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let product = try app.addProduct(store, title: "Trail Lantern", price: 4_500, slug: "trail-lantern", stock: 5)
        let browser = try app.ownerBrowser("alpha")

        let edit = try browser.get("/admin/products/\(product.id)/edit", host: host)
        #expect(edit.status == 200)
        #expect(edit.pageText.contains("Edit product"))
        #expect(HTML.inputValue(named: "price", in: edit.text) == "45.00")
        let response = try browser.post("/admin/products/\(product.id)", host: host, form: [("csrf_token", try edit.csrfToken())] + productFields(
            title: "Trail Lantern Pro", slug: "trail-lantern-pro", price: "1,299.95", stock: "0"
        ))
        #expect(response.status == 303)
        #expect(response.location == "/admin/products/\(product.id)/edit?saved=1")

        let saved = try #require(try app.product(store, id: product.id))
        #expect(saved.title == "Trail Lantern Pro")
        #expect(saved.price == 129_995)
        #expect(saved.stock == 0)

        let page = try app.browser().get("/products/trail-lantern-pro", host: host)
        #expect(page.status == 200)
        #expect(page.pageText.contains("Trail Lantern Pro"))
        #expect(page.pageText.contains("$1,299.95"))
        #expect(page.pageText.contains("Sold out"))
        #expect(try app.browser().get("/products/trail-lantern", host: host).status == 404)
    }

    @Test func editOfMissingProductIsNotFound() throws {
        let app = try TestApp()
        defer { app.stop() }
        try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        let missing = try browser.get("/admin/products/999/edit", host: host)
        #expect(missing.status == 404)
        #expect(missing.pageText.contains("There is no product with id 999. It may have been deleted."))
        let notAnID = try browser.get("/admin/products/abc/edit", host: host)
        #expect(notAnID.status == 404)
    }

    @Test func hiddenProductLeavesTheStorefront() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let product = try app.addProduct(store, title: "Trail Lantern", price: 4_500, slug: "trail-lantern")
        try app.addProduct(store, title: "Camp Kettle", slug: "camp-kettle")
        let browser = try app.ownerBrowser("alpha")
        #expect(try app.browser().get("/products/trail-lantern", host: host).status == 200)

        let edit = try browser.get("/admin/products/\(product.id)/edit", host: host)
        let response = try browser.post("/admin/products/\(product.id)", host: host, form: [("csrf_token", try edit.csrfToken())] + productFields(
            title: "Trail Lantern", slug: "trail-lantern", price: "45.00", stock: "5", visible: false
        ))
        #expect(response.status == 303)
        #expect(try app.product(store, id: product.id)?.isVisible == false)

        let shopper = app.browser()
        let page = try shopper.get("/products/trail-lantern", host: host)
        #expect(page.status == 404)
        #expect(page.pageText.contains("We could not find that page."))
        let home = try shopper.get("/", host: host)
        #expect(home.status == 200)
        #expect(!home.pageText.contains("Trail Lantern"))
        #expect(home.pageText.contains("Camp Kettle"))
        #expect(!(try shopper.get("/search?q=lantern", host: host).pageText.contains("Trail Lantern</span>")))

        let list = try browser.get("/admin/products", host: host)
        #expect(list.status == 200)
        #expect(list.pageText.contains("Trail Lantern"))
        #expect(list.pageText.contains("Hidden"))
        let hiddenEdit = try browser.get("/admin/products/\(product.id)/edit", host: host)
        #expect(!hiddenEdit.pageText.contains("View in store"))
    }

    @Test func deleteRemovesProductAndImage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)
        var body = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        body.addFile("image", filename: "lantern.png", contentType: "image/png", bytes: onePixelPNG)
        let id = try productID(fromEditLocation: try browser.post("/admin/products", host: host, multipart: body).location)
        let imageName = try #require(try app.product(store, id: id)?.imageFileName)
        let imagePath = filesFolder(app, store.id).appendingPathComponent(imageName).path
        #expect(FileManager.default.fileExists(atPath: imagePath))

        let edit = try browser.get("/admin/products/\(id)/edit", host: host)
        #expect(edit.pageText.contains("Delete product"))
        let deleted = try browser.post("/admin/products/\(id)/delete", host: host, form: [("csrf_token", try edit.csrfToken())])
        #expect(deleted.status == 303)
        #expect(deleted.location == "/admin/products?deleted=1")

        #expect(try app.product(store, id: id) == nil)
        #expect(!FileManager.default.fileExists(atPath: imagePath))
        let list = try browser.get("/admin/products?deleted=1", host: host)
        #expect(list.pageText.contains("Product deleted."))
        #expect(list.pageText.contains("You have no products yet."))
        #expect(try app.browser().get("/products/trail-lantern", host: host).status == 404)
        #expect(try app.browser().get("/files/\(imageName)", host: host).status == 404)
        #expect(try browser.get("/admin/products/\(id)/edit", host: host).status == 404)
    }

    @Test func replacingTheImageRemovesTheOldFile() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)
        var first = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        first.addFile("image", filename: "one.png", contentType: "image/png", bytes: onePixelPNG)
        let id = try productID(fromEditLocation: try browser.post("/admin/products", host: host, multipart: first).location)
        let firstImage = try #require(try app.product(store, id: id)?.imageFileName)

        let gif = Array("GIF89a".utf8) + [0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x3B]
        let edit = try browser.get("/admin/products/\(id)/edit", host: host)
        var second = MultipartBody(fields: [("csrf_token", try edit.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        second.addFile("image", filename: "two.gif", contentType: "image/gif", bytes: gif)
        #expect(try browser.post("/admin/products/\(id)", host: host, multipart: second).status == 303)

        let secondImage = try #require(try app.product(store, id: id)?.imageFileName)
        #expect(secondImage != firstImage)
        #expect(secondImage.hasSuffix(".gif"))
        let files = try FileManager.default.contentsOfDirectory(atPath: filesFolder(app, store.id).path)
        #expect(files == [secondImage])
        let served = try app.browser().get("/files/\(secondImage)", host: host)
        #expect(served.header("Content-Type") == "image/gif")

        // Ticking "remove the current image" removes it and its file.
        let again = try browser.get("/admin/products/\(id)/edit", host: host)
        let removed = try browser.post("/admin/products/\(id)", host: host, form: [("csrf_token", try again.csrfToken()), ("remove_image", "1")] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        #expect(removed.status == 303)
        #expect(try app.product(store, id: id)?.imageFileName == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: filesFolder(app, store.id).path).isEmpty)
    }

    @Test func browserFormWithoutNewImageKeepsTheImage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)
        var first = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        first.addFile("image", filename: "one.png", contentType: "image/png", bytes: onePixelPNG)
        let id = try productID(fromEditLocation: try browser.post("/admin/products", host: host, multipart: first).location)
        let image = try #require(try app.product(store, id: id)?.imageFileName)

        // A browser sends the form as multipart, with an empty file part when no file is chosen.
        let edit = try browser.get("/admin/products/\(id)/edit", host: host)
        var body = MultipartBody(fields: [("csrf_token", try edit.csrfToken())] + productFields(title: "Trail Lantern II", price: "25.00", stock: "3"))
        body.addFile("image", filename: "", contentType: "application/octet-stream", bytes: [])
        let saved = try browser.post("/admin/products/\(id)", host: host, multipart: body)
        #expect(saved.status == 303)
        let product = try #require(try app.product(store, id: id))
        #expect(product.title == "Trail Lantern II")
        #expect(product.imageFileName == image)
        #expect(FileManager.default.fileExists(atPath: filesFolder(app, store.id).appendingPathComponent(image).path))
    }

    @Test func oversizedImageIsRejectedWithItsSize() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")
        let form = try browser.get("/admin/products/new", host: host)

        // Just over the 5 MB limit: 5.2 MB.
        let large = onePixelPNG + [UInt8](repeating: 0, count: 5 * 1024 * 1024 + 200 * 1024 - onePixelPNG.count)
        var body = MultipartBody(fields: [("csrf_token", try form.csrfToken())] + productFields(title: "Trail Lantern", price: "24.50", stock: "3"))
        body.addFile("image", filename: "huge.png", contentType: "image/png", bytes: large)
        let response = try browser.post("/admin/products", host: host, multipart: body)
        #expect(response.status == 422)
        #expect(HTML.fieldErrors("image", in: response.text) == ["The image is 5.2 MB; images may be at most 5 MB. Make it smaller and try again."])
        #expect(HTML.inputValue(named: "title", in: response.text) == "Trail Lantern")
        #expect(try app.withProducts(store) { try $0.count() } == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: filesFolder(app, store.id).path).isEmpty)
    }

    @Test func slugsStayUniqueWithinAStore() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        let browser = try app.ownerBrowser("alpha")

        var ids: [Int64] = []
        for _ in 0..<2 {
            let form = try browser.get("/admin/products/new", host: host)
            let created = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(title: "Camp Mug", price: "9.00", stock: "1"))
            ids.append(try productID(fromEditLocation: created.location))
        }
        #expect(try app.product(store, id: ids[0])?.slug == "camp-mug")
        #expect(try app.product(store, id: ids[1])?.slug == "camp-mug-2")
        #expect(try app.browser().get("/products/camp-mug-2", host: host).status == 200)

        let form = try browser.get("/admin/products/new", host: host)
        let taken = try browser.post("/admin/products", host: host, form: [("csrf_token", try form.csrfToken())] + productFields(title: "Other Mug", slug: "camp-mug", price: "9.00", stock: "1"))
        #expect(taken.status == 422)
        #expect(HTML.fieldErrors("slug", in: taken.text).count == 1)
        #expect(HTML.inputValue(named: "slug", in: taken.text) == "camp-mug")
        #expect(try app.withProducts(store) { try $0.count() } == 2)

        // The same slug in another store is no conflict.
        let bravo = try app.createStore("bravo")
        try app.addProduct(bravo, title: "Camp Mug", slug: "camp-mug")
        #expect(try app.browser().get("/products/camp-mug", host: TestApp.host("bravo")).status == 200)
    }

    @Test func listPagesSearchesAndSorts() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.withProducts(store) { products in
            for number in 1...30 {
                let title = String(format: "Item %02d", number)
                try products.create(ProductInput(title: title, price: Int64(number * 100), sku: "SKU-\(number)", stock: 30 - number))
            }
            try products.create(ProductInput(title: "Zebra Lamp", price: 5, stock: 100))
        }
        let browser = try app.ownerBrowser("alpha")

        let first = try browser.get("/admin/products", host: host)
        #expect(first.status == 200)
        #expect(first.text.components(separatedBy: "<tr>").count - 2 == 25, "25 product rows plus the header row")
        #expect(first.pageText.contains("Zebra Lamp"), "newest first")
        #expect(first.pageText.contains("Item 30"))
        #expect(!first.pageText.contains("Item 06"))
        #expect(HTML.links(in: first.text).contains("/admin/products?page=2"))

        let second = try browser.get("/admin/products?page=2", host: host)
        #expect(second.status == 200)
        #expect(second.text.components(separatedBy: "<tr>").count - 2 == 6)
        #expect(second.pageText.contains("Item 01"))
        #expect(second.pageText.contains("Item 06"))
        #expect(!second.pageText.contains("Zebra Lamp"))
        #expect(second.text.contains("aria-current=\"page\">2</span>"))

        let search = try browser.get("/admin/products?q=SKU-1", host: host)
        #expect(search.status == 200)
        // SKU-1 and SKU-10 to SKU-19.
        #expect(search.text.components(separatedBy: "<tr>").count - 2 == 11)
        #expect(!search.pageText.contains("Item 02"))
        #expect(HTML.inputValue(named: "q", in: search.text) == "SKU-1")

        let byTitle = try browser.get("/admin/products?sort=title&page=2", host: host)
        #expect(byTitle.status == 200)
        #expect(byTitle.pageText.contains("Item 26"))
        #expect(byTitle.pageText.contains("Zebra Lamp"))
        #expect(!byTitle.pageText.contains("Item 25"))
        #expect(HTML.links(in: byTitle.text).contains("/admin/products?sort=title"))
        #expect(byTitle.text.contains("<option value=\"title\" selected>"))

        let cheapest = try browser.get("/admin/products?sort=price-asc", host: host)
        let cheapestText = cheapest.pageText
        let zebra = try #require(cheapestText.range(of: "Zebra Lamp"))
        let item01 = try #require(cheapestText.range(of: "Item 01"))
        #expect(zebra.lowerBound < item01.lowerBound)

        let none = try browser.get("/admin/products?q=nothing-like-this", host: host)
        #expect(none.pageText.contains("No products match “nothing-like-this”."))
    }

    @Test func pagePastTheEndShowsTheLastPage() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.withProducts(store) { products in
            for number in 1...30 {
                try products.create(ProductInput(title: String(format: "Item %02d", number), price: 100))
            }
        }
        let browser = try app.ownerBrowser("alpha")

        let response = try browser.get("/admin/products?page=7", host: host)
        #expect(response.status == 200)
        #expect(!response.pageText.contains("You have no products yet."))
        #expect(response.pageText.contains("Item 01"))
        #expect(response.text.components(separatedBy: "<tr>").count - 2 == 5)
        #expect(response.text.contains("aria-current=\"page\">2</span>"))
    }

    /// One figure of the dashboard: its number and the caption under it.
    private struct DashboardStat: Equatable {
        var value: String
        var caption: String
    }

    /// Reads the figure labelled `label` from the dashboard's
    /// `<div class="label">…</div><div class="value">…</div><div class="sub">…</div>`.
    private func dashboardStat(_ label: String, in page: String) -> DashboardStat? {
        func text(after marker: String, from start: String.Index) -> (String, String.Index)? {
            guard let open = page.range(of: marker, range: start..<page.endIndex),
                  let close = page.range(of: "</div>", range: open.upperBound..<page.endIndex) else { return nil }
            return (String(page[open.upperBound..<close.lowerBound]), close.upperBound)
        }
        guard let labelRange = page.range(of: "<div class=\"label\">\(label)</div>") else { return nil }
        guard page[labelRange.upperBound...].hasPrefix("<div class=\"value\">"),
              let (value, afterValue) = text(after: "<div class=\"value\">", from: labelRange.upperBound),
              page[afterValue...].hasPrefix("<div class=\"sub\">"),
              let (caption, _) = text(after: "<div class=\"sub\">", from: afterValue) else { return nil }
        return DashboardStat(value: value, caption: caption)
    }

    @Test func dashboardCountsProducts() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha")
        try app.withProducts(store) { products in
            try products.create(ProductInput(title: "Visible In Stock", price: 100, stock: 4))
            try products.create(ProductInput(title: "Visible Sold Out", price: 100, stock: 0))
            try products.create(ProductInput(title: "Hidden", price: 100, stock: 2, isVisible: false))
        }
        let browser = try app.ownerBrowser("alpha")

        let dashboard = try browser.get("/admin", host: host)
        #expect(dashboard.status == 200)
        let text = dashboard.pageText
        #expect(dashboardStat("Products", in: text) == DashboardStat(value: "3", caption: "of 1,000 on your plan"))
        #expect(dashboardStat("Visible in the store", in: text) == DashboardStat(value: "2", caption: "Listed for shoppers"))
        #expect(dashboardStat("Out of stock", in: text) == DashboardStat(value: "1", caption: "Shown as sold out"))
        #expect(dashboardStat("Staff accounts", in: text) == DashboardStat(value: "1", caption: "of 2 on your plan"))
        #expect(text.contains("Your free trial of the Plus plan ends in 14 days"))
    }

    @Test func planProductLimitStopsCreation() throws {
        let app = try TestApp()
        defer { app.stop() }
        let store = try app.createStore("alpha", plan: .plus)
        // The Plus plan allows 1,000 products; fill the store straight through its file.
        let lastID = try app.withProducts(store) { products in
            var last: Int64 = 0
            for number in 1...1_000 {
                last = try products.create(ProductInput(title: "Product \(number)", price: 100)).id
            }
            return last
        }
        let browser = try app.ownerBrowser("alpha")

        let form = try browser.get("/admin/products/new", host: host)
        let fields = [("csrf_token", try form.csrfToken())] + productFields(title: "One Too Many", price: "9.99", stock: "1")
        let refused = try browser.post("/admin/products", host: host, form: fields)
        #expect(refused.status == 422)
        #expect(HTML.fieldErrors("title", in: refused.text) == ["Your Plus plan allows 1000 products. Delete products you no longer sell, or upgrade the plan, to add more."])
        #expect(HTML.inputValue(named: "title", in: refused.text) == "One Too Many")
        #expect(try app.withProducts(store) { try $0.count() } == 1_000)

        // Editing an existing product still works at the limit.
        let edit = try browser.get("/admin/products/\(lastID)/edit", host: host)
        let edited = try browser.post("/admin/products/\(lastID)", host: host, form: [("csrf_token", try edit.csrfToken())] + productFields(title: "Product Renamed", price: "2.00", stock: "1"))
        #expect(edited.status == 303)

        // After one deletion there is room for one more.
        let deleted = try browser.post("/admin/products/\(lastID)/delete", host: host, form: [("csrf_token", try edit.csrfToken())])
        #expect(deleted.status == 303)
        let accepted = try browser.post("/admin/products", host: host, form: fields)
        #expect(accepted.status == 303)
        #expect(try app.withProducts(store) { try $0.count() } == 1_000)
    }
}
