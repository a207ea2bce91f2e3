@testable import Templates

/// The context the fixture pages under Fixtures/ expect: a store with categories,
/// a cart, footer links and `productCount` products.
func storeContext(productCount: Int, currentCategory: String = "tea") -> TemplateValue {
    let products: [TemplateValue] = (0..<productCount).map { index in
        let onSale = index % 3 == 0
        return [
            "id": .int(1000 + index),
            "slug": .string("product-\(index)"),
            "name": .string(index == 0 ? "Earl Grey & Lemon <Loose>" : "Product \(index)"),
            "imageURL": .string("/files/products/\(1000 + index).jpg"),
            "price": .string("€\(10 + index).50"),
            "regularPrice": onSale ? .string("€\(12 + index).00") : .null,
            "onSale": .bool(onSale),
            "inStock": .bool(index % 5 != 4),
            "tags": index % 2 == 0 ? ["organic", "new"] : [],
        ]
    }
    return [
        "store": [
            "name": "Tea & Co",
            "language": "en",
            "headline": "Fresh leaves, \"hand-picked\"",
            "categories": [
                ["slug": "tea", "name": "Tea"],
                ["slug": "cups", "name": "Cups & Pots"],
            ],
            "year": 2026,
            "links": [
                ["url": "/pages/shipping", "title": "Shipping"],
                ["url": "/pages/returns", "title": "Returns"],
            ],
        ],
        "currentCategory": .string(currentCategory),
        "cart": ["count": 2],
        "products": .array(products),
    ]
}

private let englishMessages: [String: String] = [
    "cart.link": "Cart ({count})",
    "cart.add": "Add to cart",
    "product.soldOut": "Sold out",
    "home.title": "{store} – Home",
    "home.empty": "No products yet.",
    "footer.copyright": "© {year} {store}",
]

/// A translator for the fixture keys, in the form the app passes one: a lookup table with
/// `{name}` placeholders filled from the arguments. Unknown keys come back unchanged.
let englishTranslator: TemplateTranslator = { key, arguments in
    guard let message = englishMessages[key] else { return key }
    guard !arguments.isEmpty else { return message }

    var result = ""
    var rest = message[...]
    while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
        result += rest[..<open]
        switch arguments[String(rest[rest.index(after: open)..<close])] {
        case .string(let text)?: result += text
        case .int(let number)?: result += String(number)
        default: break
        }
        rest = rest[rest.index(after: close)...]
    }
    return result + rest
}
