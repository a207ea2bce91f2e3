import Commerce
import HTTPServer
import Templates

/// The shopper's side of a store: the home page with its product grid, search and product
/// pages.
enum StorefrontController {
    static let productsPerPage = 24

    static func routes() -> Router<StoreRequest> {
        var router = Router<StoreRequest>()
        router.get("/") { context, _ in try productList(context, search: nil) }
        router.get("/search") { context, _ in
            let query = (context.request.query["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            return try productList(context, search: query.isEmpty ? nil : String(query.prefix(200)))
        }
        router.get("/products/:slug") { context, parameters in
            guard let slug = parameters["slug"] else { throw HTTPError(.notFound, "") }
            let product = try context.database.read { database in
                try ProductStore(database: database).find(slug: slug)
            }
            guard let product else { throw HTTPError(.notFound, "") }
            return try context.render("store/product", ["product": productValue(product, context)])
        }
        ShopRoutes.register(&router)
        return router
    }

    private static func productList(_ context: StoreRequest, search: String?) throws -> Response {
        let page = context.request.pageNumber
        let result = try context.database.read { database in
            try ProductStore(database: database).list(
                page: page, perPage: productsPerPage, search: search, sort: .newest, includeHidden: false
            )
        }
        guard page <= result.pageCount else { throw HTTPError(.notFound, "") }

        let path = search == nil ? "/" : "/search"
        let pagination = Pagination(page: page, pageCount: result.pageCount, path: path, query: search.map { [("q", $0)] } ?? [])
        return try context.render("store/home", [
            "showHero": .bool(search == nil && page == 1),
            "searchQuery": search.map(TemplateValue.string) ?? .null,
            "productCount": .int(result.totalCount),
            "products": .array(result.items.map { productValue($0, context) }),
            "pagination": pagination.templateValue(
                previousLabel: context.text("pagination.previous"),
                nextLabel: context.text("pagination.next")
            ),
        ])
    }

    /// A product as the storefront shows it: prices formatted in the store's currency.
    static func productValue(_ product: Product, _ context: StoreRequest) -> TemplateValue {
        [
            "id": .int(Int(product.id)),
            "slug": .string(product.slug),
            "title": .string(product.title),
            "description": .string(product.description),
            "price": .string(context.format(product.price)),
            "compareAtPrice": product.compareAtPrice.map { .string(context.format($0)) } ?? .null,
            "sku": .string(product.sku ?? ""),
            "stock": .int(product.stock),
            "soldOut": .bool(!product.isInStock),
            "visible": .bool(product.isVisible),
            "imageURL": product.imageFileName.map { .string("/files/" + $0) } ?? .null,
            "initials": .string(initials(of: product.title)),
        ]
    }

    /// Up to two initials of a title, shown where a product has no image.
    static func initials(of title: String) -> String {
        // Runs for every product on every page, so it stops after two words and checks
        // Unicode properties only for non-ASCII scalars.
        var initials = ""
        var inWord = false
        for scalar in title.unicodeScalars {
            let isWordScalar = scalar.isASCII
                ? (scalar.value >= 0x30 && scalar.value <= 0x39) || (scalar.value | 0x20 >= 0x61 && scalar.value | 0x20 <= 0x7A)
                : scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            if isWordScalar && !inWord {
                initials.unicodeScalars.append(scalar)
                if initials.unicodeScalars.count == 2 { break }
            }
            inWord = isWordScalar
        }
        return initials.uppercased()
    }
}
