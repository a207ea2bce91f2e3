import Commerce
import Crypto
import Foundation
import HTTPServer
import Templates

/// The admin's product pages: list, create, edit, hide and delete, with one image each.
enum AdminProductsController {
    static let productsPerPage = 25
    static let maximumImageBytes = 5 * 1024 * 1024

    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/products") { context, _ in try list(context) }
        router.get("/admin/products/new") { context, _ in
            _ = try AdminRoutes.requireActiveStaff(context)
            return try showForm(context, product: nil, form: FormValues(), errors: ValidationErrors())
        }
        router.post("/admin/products") { context, _ in try save(context, id: nil) }
        router.get("/admin/products/:id/edit") { context, parameters in
            _ = try AdminRoutes.requireActiveStaff(context)
            let product = try find(context, id: try parameters.id("id"))
            let saved = context.request.query["saved"] != nil
            return try showForm(context, product: product, form: FormValues(product, context), errors: ValidationErrors(), notice: saved ? "Product saved." : nil)
        }
        router.post("/admin/products/:id") { context, parameters in try save(context, id: try parameters.id("id")) }
        router.post("/admin/products/:id/delete") { context, parameters in try delete(context, id: try parameters.id("id")) }
    }

    // MARK: - List

    private static let sortOptions: [(ProductSort, String)] = [
        (.newest, "Newest first"),
        (.title, "Title A–Z"),
        (.priceAscending, "Price, low to high"),
        (.priceDescending, "Price, high to low"),
        (.stock, "Stock, lowest first"),
    ]

    private static func list(_ context: StoreRequest) throws -> Response {
        _ = try AdminRoutes.requireActiveStaff(context)
        let query = context.request.query
        let search = (query["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let sort = ProductSort(rawValue: query["sort"] ?? "") ?? .newest
        let page = context.request.pageNumber

        let listPage = { (number: Int) in
            try context.database.read { database in
                try ProductStore(database: database).list(
                    page: number, perPage: productsPerPage, search: search.isEmpty ? nil : search, sort: sort, includeHidden: true
                )
            }
        }
        var result = try listPage(page)
        if page > result.pageCount {
            // A page past the end, such as a bookmarked page after deletions, shows the last
            // page: an empty table would read as "You have no products yet".
            result = try listPage(result.pageCount)
        }
        let pagination = Pagination(
            page: result.page, pageCount: result.pageCount, path: "/admin/products",
            query: [("q", search), ("sort", sort == .newest ? "" : sort.rawValue)]
        )
        var notice: String?
        if query["deleted"] != nil { notice = "Product deleted." }
        return try context.render("admin/products/index", [
            "nav": ["products": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "query": .string(search),
            "sortOptions": .array(sortOptions.map { option in
                ["value": .string(option.0.rawValue), "label": .string(option.1), "selected": .bool(option.0 == sort)]
            }),
            "products": .array(result.items.map { StorefrontController.productValue($0, context) }),
            "pagination": pagination.templateValue(previousLabel: "Previous", nextLabel: "Next"),
        ])
    }

    // MARK: - Form

    /// The form's fields as typed, so a rejected form shows them again unchanged.
    struct FormValues {
        var title = ""
        var slug = ""
        var description = ""
        var price = ""
        var compareAtPrice = ""
        var sku = ""
        var stock = "0"
        var visible = true

        init() {}

        init(_ product: Product, _ context: StoreRequest) {
            title = product.title
            slug = product.slug
            description = product.description
            price = Money(minorUnits: product.price, currency: context.currency).formatted(.plain)
            compareAtPrice = product.compareAtPrice.map { Money(minorUnits: $0, currency: context.currency).formatted(.plain) } ?? ""
            sku = product.sku ?? ""
            stock = String(product.stock)
            visible = product.isVisible
        }

        init(_ form: FormParameters) {
            title = form["title"] ?? ""
            slug = form["slug"] ?? ""
            description = form["description"] ?? ""
            price = form["price"] ?? ""
            compareAtPrice = form["compare_at_price"] ?? ""
            sku = form["sku"] ?? ""
            stock = form["stock"] ?? ""
            visible = form["visible"] == "1"
        }

        var templateValue: TemplateValue {
            [
                "title": .string(title), "slug": .string(slug), "description": .string(description),
                "price": .string(price), "compareAtPrice": .string(compareAtPrice), "sku": .string(sku),
                "stock": .string(stock), "visible": .bool(visible),
            ]
        }

        /// Converts the typed values into a product input, collecting a message for each
        /// field that cannot be read.
        func input(currency: Currency, errors: inout ValidationErrors) -> ProductInput? {
            let priceValue = FormAmount.parse(price, currency: currency, label: "Price", field: "price", errors: &errors) ?? 0
            let compareValue = FormAmount.parse(
                compareAtPrice, currency: currency, label: "Compare-at price", field: "compareAtPrice",
                isOptional: true, errors: &errors
            )
            let stockText = stock.trimmingCharacters(in: .whitespaces)
            let stockValue = Int(stockText)
            if stockValue == nil {
                errors.add("Stock must be a whole number such as 0 or 25, not “\(stockText)”.", for: "stock")
            }
            let input = ProductInput(
                title: title, slug: slug, description: description, price: priceValue,
                compareAtPrice: compareValue, sku: sku, stock: stockValue ?? 0, isVisible: visible
            )
            guard errors.isEmpty else {
                // Show the other fields' problems too, but not a second message for a field
                // that could not even be read.
                let unreadable = Set(errors.fields)
                for (field, message) in input.validationErrors(currency: currency).all where !unreadable.contains(field) {
                    errors.add(message, for: field)
                }
                return nil
            }
            return input
        }
    }

    private static func find(_ context: StoreRequest, id: Int64) throws -> Product {
        let product = try context.database.read { database in try ProductStore(database: database).find(id: id) }
        guard let product else {
            throw HTTPError(.notFound, "There is no product with id \(id). It may have been deleted.")
        }
        return product
    }

    private static func showForm(
        _ context: StoreRequest,
        product: Product?,
        form: FormValues,
        errors: ValidationErrors,
        notice: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        try context.render("admin/products/form", [
            "nav": ["products": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "product": product.map { StorefrontController.productValue($0, context) } ?? .null,
            "form": form.templateValue,
            "errors": errors.templateValue,
            "currency": .string(context.currency.code),
            "action": .string(product.map { "/admin/products/\($0.id)" } ?? "/admin/products"),
        ], status: status)
    }

    // MARK: - Save and delete

    private static func save(_ context: StoreRequest, id: Int64?) throws -> Response {
        _ = try AdminRoutes.requireActiveStaff(context)
        let existing = try id.map { try find(context, id: $0) }
        let form = FormValues(context.form)
        var errors = ValidationErrors()

        let upload = context.files.first { $0.fieldName == "image" }
        var image: ProductImage?
        if let upload {
            do {
                image = try ProductImage(upload, maximumBytes: maximumImageBytes)
            } catch let error as ProductImage.Rejection {
                errors.add(error.message, for: "image")
            }
        }

        guard let input = form.input(currency: context.currency, errors: &errors) else {
            return try showForm(context, product: existing, form: form, errors: errors, status: .unprocessableContent)
        }
        guard errors.isEmpty else {
            return try showForm(context, product: existing, form: form, errors: errors, status: .unprocessableContent)
        }

        let filesFolder = context.app.dataDirectory.storeFilesFolder(context.store.id)
        let newFileName = try image.map { try $0.write(into: filesFolder) }
        let removeImage = context.form["remove_image"] == "1"
        let productLimit = AdminRoutes.plainLimit(context.store.plan.limits.products)
        let now = context.app.clock.now()

        let saved: (product: Product, oldImage: String?)
        do {
            saved = try context.database.write { database in
                let products = ProductStore(database: database, now: { now })
                var product = try existing.map { try products.update(id: $0.id, with: input) } ?? products.create(input, limit: productLimit)
                var oldImage: String?
                if let newFileName {
                    oldImage = try products.setImage(id: product.id, fileName: newFileName)
                    product.imageFileName = newFileName
                } else if removeImage {
                    oldImage = try products.clearImage(id: product.id)
                    product.imageFileName = nil
                }
                return (product, oldImage)
            }
        } catch let validation as ValidationErrors {
            if let newFileName { ProductImage.remove(newFileName, from: filesFolder) }
            return try showForm(context, product: existing, form: form, errors: validation, status: .unprocessableContent)
        } catch CommerceError.productLimitReached(let limit) {
            if let newFileName { ProductImage.remove(newFileName, from: filesFolder) }
            var limitErrors = ValidationErrors()
            limitErrors.add("Your \(context.store.plan.displayName) plan allows \(limit) products. Delete products you no longer sell, or upgrade the plan, to add more.", for: "title")
            return try showForm(context, product: existing, form: form, errors: limitErrors, status: .unprocessableContent)
        }

        if let oldImage = saved.oldImage { ProductImage.remove(oldImage, from: filesFolder) }
        context.app.logger.info(existing == nil ? "product.created" : "product.updated", [
            "request_id": context.request.requestID, "store_id": context.store.id, "product_id": saved.product.id,
        ])
        return .redirect(to: "/admin/products/\(saved.product.id)/edit?saved=1")
    }

    private static func delete(_ context: StoreRequest, id: Int64) throws -> Response {
        _ = try AdminRoutes.requireActiveStaff(context)
        let product = try context.database.write { database in try ProductStore(database: database).delete(id: id) }
        if let image = product.imageFileName {
            ProductImage.remove(image, from: context.app.dataDirectory.storeFilesFolder(context.store.id))
        }
        context.app.logger.info("product.deleted", ["request_id": context.request.requestID, "store_id": context.store.id, "product_id": id])
        return .redirect(to: "/admin/products?deleted=1")
    }
}

/// An uploaded product image, checked by its first bytes rather than by the name or type
/// the browser sent.
struct ProductImage {
    struct Rejection: Error {
        let message: String
    }

    let bytes: [UInt8]
    let fileExtension: String

    init(_ file: MultipartFile, maximumBytes: Int) throws {
        guard !file.bytes.isEmpty else {
            throw Rejection(message: "The image file \(file.filename) is empty. Choose another file.")
        }
        guard file.bytes.count <= maximumBytes else {
            throw Rejection(message: "The image is \(Self.megabytes(file.bytes.count)) MB; images may be at most \(Self.megabytes(maximumBytes)) MB. Make it smaller and try again.")
        }
        guard let fileExtension = Self.detectFormat(file.bytes) else {
            throw Rejection(message: "\(file.filename) is not a PNG, JPEG, WebP or GIF image. Choose an image in one of those formats.")
        }
        self.bytes = file.bytes
        self.fileExtension = fileExtension
    }

    /// Formats a byte count in mebibytes with at most one decimal, rounded up, so that a file
    /// just over the limit never reads as the limit itself ("5.1 MB", not "5 MB").
    static func megabytes(_ bytes: Int) -> String {
        let tenths = (bytes * 10 + 1_048_575) / 1_048_576
        return tenths % 10 == 0 ? String(tenths / 10) : "\(tenths / 10).\(tenths % 10)"
    }

    /// The file extension for the image format named by the file's signature, or nil.
    static func detectFormat(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "jpg" }
        if bytes.starts(with: Array("GIF87a".utf8)) || bytes.starts(with: Array("GIF89a".utf8)) { return "gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "webp" }
        return nil
    }

    /// Writes the image under a new random name and returns the name.
    func write(into folder: URL) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let name = "product-" + SecureRandom.token(byteCount: 12) + "." + fileExtension
        try Data(bytes).write(to: folder.appendingPathComponent(name), options: .atomic)
        return name
    }

    static func remove(_ name: String, from folder: URL) {
        guard !name.contains("/"), !name.hasPrefix(".") else { return }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
    }
}
