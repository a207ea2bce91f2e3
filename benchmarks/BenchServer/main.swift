// The server that the HTTP benchmarks in benchmarks/*.sh measure.
//
// `/` renders a product-list page of about 11 KB through the template engine on every
// request: a layout, a nested layout, and one partial per product. The product rows are
// built once per worker thread, as a query result would be. The template context
// (formatted prices, links, flags) and the HTML are built anew for each request, so a
// request costs what a storefront page costs without the database. `/rendered-once`
// sends the same page rendered at start-up, which leaves the HTTP server's own cost.
// `/ping` returns a fixed short text.

import Commerce
import Dispatch
import Foundation
import HTTPServer
import Synchronization
import Templates

// MARK: - Options

struct Options {
    var port = 8080
    var eventLoopCount = ServerConfiguration.processorCount
    var workerCount = ServerConfiguration().workerCount
    var maxConnections = ServerConfiguration().maxConnections
    var productCount = 40
    var viewsPath = Options.defaultViewsPath
    var dumpPath: String?
    /// Threads for `--render-rate`; nil when serving.
    var renderRateThreads: Int?
    var logsRequests = false

    /// The Views folder beside this source file, which is right when the server runs from
    /// the work tree it was built in. `--views` overrides it.
    static var defaultViewsPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Views").path
    }

    static let usage = """
        Usage: storefleet-bench-server [options]

        Serves a template-rendered product-list page on http://127.0.0.1:PORT/ and a short
        text on /ping, for load tests on this machine only. /rendered-once sends the
        page rendered once at start-up, to measure the HTTP server without the page work.

        Options:
          --port N              TCP port on 127.0.0.1; 0 lets the kernel pick one (default 8080)
          --event-loops N       number of epoll event-loop threads (default: one per core, \(ServerConfiguration.processorCount) here)
          --workers N           number of handler threads (default \(ServerConfiguration().workerCount))
          --max-connections N   most open client connections (default \(ServerConfiguration().maxConnections))
          --products N          products on the page, 0...1000 (default 40, about 10 KB of HTML)
          --views PATH          template folder (default: the Views folder beside main.swift)
          --dump PATH           write one rendered page to PATH and exit without serving
          --render-rate THREADS time building the context and rendering the page on
                                THREADS threads without HTTP, print the rates and exit
          --access-log          write one log line per request to stderr (default off, as
                                the nginx configuration of the benchmark has access_log off)
          --help                show this text

        The server prints `listening http://127.0.0.1:PORT/` on stdout once it accepts
        connections, and stops gracefully on SIGINT or SIGTERM.
        """

    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var remaining = arguments[...]

        func value(for flag: String) throws(UsageError) -> String {
            guard let value = remaining.popFirst() else {
                throw UsageError("missing value after \(flag)")
            }
            return value
        }

        func integer(for flag: String, in range: ClosedRange<Int>) throws(UsageError) -> Int {
            let text = try value(for: flag)
            guard let number = Int(text), range.contains(number) else {
                throw UsageError("invalid value \"\(text)\" for \(flag): expected a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }

        while let flag = remaining.popFirst() {
            switch flag {
            case "--port": options.port = try integer(for: flag, in: 0...65_535)
            case "--event-loops": options.eventLoopCount = try integer(for: flag, in: 1...256)
            case "--workers": options.workerCount = try integer(for: flag, in: 1...1024)
            case "--max-connections": options.maxConnections = try integer(for: flag, in: 1...1_000_000)
            case "--products": options.productCount = try integer(for: flag, in: 0...1000)
            case "--views": options.viewsPath = try value(for: flag)
            case "--dump": options.dumpPath = try value(for: flag)
            case "--render-rate": options.renderRateThreads = try integer(for: flag, in: 1...64)
            case "--access-log": options.logsRequests = true
            case "--help", "-h": throw UsageError(nil)
            default: throw UsageError("unknown option \"\(flag)\"")
            }
        }
        return options
    }
}

/// A command-line mistake, or a request for help when `message` is nil.
struct UsageError: Error {
    let message: String?

    init(_ message: String?) {
        self.message = message
    }
}

// MARK: - Page data

/// One catalogue row, as the storefront would read it from the store's database.
struct Product {
    let id: Int
    let slug: String
    let name: String
    let priceMinor: Int
    let regularPriceMinor: Int?
    let inStock: Bool
}

/// A fixed catalogue whose names include characters that the engine must escape
/// (`&`, `<`, `"`, `'`), so escaping is part of the measured work.
func makeProducts(count: Int) -> [Product] {
    let kinds = ["Sencha", "Assam", "Earl Grey & Lemon", "Rooibos \"Vanilla\"", "Oolong", "Darjeeling <First Flush>", "Genmaicha", "Chai O'Clock"]
    let sizes = ["50 g tin", "100 g pouch", "250 g bag", "12 pyramid bags"]
    return (0..<count).map { index in
        let kind = kinds[index % kinds.count]
        let size = sizes[(index / kinds.count) % sizes.count]
        let price = 450 + (index * 137) % 2400
        return Product(
            id: 10_000 + index,
            slug: kind.lowercased().split { !$0.isLetter }.joined(separator: "-") + "-\(index)",
            name: "\(kind), \(size)",
            priceMinor: price,
            regularPriceMinor: index % 4 == 0 ? price + 200 : nil,
            inStock: index % 7 != 6
        )
    }
}

/// Formats minor units as euros with the app's `Money`, as the storefront formats
/// prices: `4,50 €`.
func formatEuros(_ minor: Int) -> String {
    Money(minorUnits: Int64(minor), currency: .eur).formatted()
}

/// The product rows of the calling thread, built on the thread's first call.
///
/// The app reads a page's rows from the store's database for each request, so no two
/// requests share the strings in them. With one array shared by all worker threads,
/// every request retained and released the same string objects on two cores at once,
/// and those contended atomic operations took about a tenth of the server's CPU time
/// (perf, 2 workers under wrk). A copy per thread keeps the rows built once, as a
/// query result, without that.
final class ProductRowsPerThread: @unchecked Sendable {
    // Safe: `key` is written only in `init`. The rows behind it belong to one thread
    // each, and pthread_getspecific and pthread_setspecific may be called from any
    // thread.
    private var key = pthread_key_t()
    private let count: Int

    private final class Rows {
        let products: [Product]

        init(_ products: [Product]) {
            self.products = products
        }
    }

    init(count: Int) {
        self.count = count
        let status = pthread_key_create(&key) { rows in
            if let rows {
                Unmanaged<Rows>.fromOpaque(rows).release()
            }
        }
        guard status == 0 else {
            fail("cannot create the per-thread product rows: pthread_key_create returned \(status)")
        }
    }

    var products: [Product] {
        if let rows = pthread_getspecific(key) {
            return Unmanaged<Rows>.fromOpaque(rows).takeUnretainedValue().products
        }
        let rows = Rows(makeProducts(count: count))
        pthread_setspecific(key, Unmanaged.passRetained(rows).toOpaque())
        return rows.products
    }
}

/// Builds the template context for one request the way the storefront does: each
/// product a dictionary literal, the page's values in a Swift dictionary that
/// `TemplateValue.dictionary` converts (`PageRenderer.render` in the app).
func makeContext(products: [Product]) -> TemplateValue {
    let items: [TemplateValue] = products.map { product in
        [
            "id": .int(product.id),
            "slug": .string(product.slug),
            "name": .string(product.name),
            "imageURL": .string("/files/products/\(product.id)-240.jpg"),
            "price": .string(formatEuros(product.priceMinor)),
            "regularPrice": product.regularPriceMinor.map { .string(formatEuros($0)) } ?? .null,
            "onSale": .bool(product.regularPriceMinor != nil),
            "inStock": .bool(product.inStock),
        ]
    }
    let context: [String: TemplateValue] = [
        "store": [
            "name": "Tea & Co",
            "language": "en",
            "tagline": "Loose-leaf tea from small gardens, shipped in 48 hours",
            "year": 2026,
            "categories": [
                ["slug": "green-tea", "name": "Green tea"],
                ["slug": "black-tea", "name": "Black tea"],
                ["slug": "herbal", "name": "Herbal & fruit"],
                ["slug": "teaware", "name": "Cups & pots"],
            ],
            "links": [
                ["url": "/pages/shipping", "title": "Shipping"],
                ["url": "/pages/returns", "title": "Returns"],
                ["url": "/pages/contact", "title": "Contact"],
                ["url": "/pages/privacy", "title": "Privacy"],
            ],
        ],
        "category": ["slug": "black-tea", "name": "Black tea"],
        "currentCategory": "black-tea",
        "cart": ["count": 2],
        "products": .array(items),
    ]
    return .dictionary(context)
}

/// English shopper texts with `{name}` placeholders, in the form the storefront passes a
/// translator to the engine.
let englishTexts: [String: String] = [
    "search.placeholder": "Search the shop",
    "cart.link": "Cart ({count})",
    "cart.add": "Add to cart",
    "product.soldOut": "Sold out",
    "list.count": "{count} products",
    "list.empty": "No products in this category yet.",
    "list.next": "Next page",
    "footer.copyright": "© {year} {store}",
]

/// Looks the key up in `englishTexts` and fills its `{name}` placeholders with
/// `Placeholders.fill`, as the app's `Translations.text` does.
let translator: TemplateTranslator = { key, arguments in
    guard let message = englishTexts[key] else { return key }
    return Placeholders.fill(message, with: arguments)
}

// MARK: - Hand-written page

/// Writes the same page as `store/products` with `makeContext` and `translator`, byte for
/// byte, in straight-line Swift without the template engine and without a context: the
/// rows go to the output directly. `--render-rate` times it beside the engine, as the
/// cost of the page's own work (formatting, escaping, copying) that no engine avoids.
struct HandWrittenPage {
    private var bytes: [UInt8] = []

    static func render(products: [Product]) -> [UInt8] {
        var page = HandWrittenPage()
        page.bytes.reserveCapacity(12_288)
        page.write(products: products)
        return page.bytes
    }

    private mutating func text(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends the value with the five HTML-special characters replaced, copying each run
    /// of other bytes at once.
    private mutating func escaped(_ value: String) {
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { source in
            var runStart = 0
            for index in source.indices {
                let reference: StaticString
                switch source[index] {
                case UInt8(ascii: "&"): reference = "&amp;"
                case UInt8(ascii: "<"): reference = "&lt;"
                case UInt8(ascii: ">"): reference = "&gt;"
                case UInt8(ascii: "\""): reference = "&quot;"
                case UInt8(ascii: "'"): reference = "&#39;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index]))
                text(reference)
                runStart = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart...]))
        }
        if copied == nil {
            escaped(String(decoding: Array(value.utf8), as: UTF8.self))
        }
    }

    private mutating func number(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    private mutating func write(products: [Product]) {
        text("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Black tea – Tea &amp; Co</title>
            <meta name="description" content="Loose-leaf tea from small gardens, shipped in 48 hours">
            <link rel="stylesheet" href="/assets/store.css">
            <link rel="icon" href="/assets/favicon.png">

            </head>
            <body class="page product-list">
            <header class="site-header">
            <a class="logo" href="/">Tea &amp; Co</a>
            <form class="search" action="/search" method="get"><input type="search" name="q" placeholder="Search the shop"></form>
            <nav class="categories">
            <a href="/categories/green-tea">Green tea</a>
            <a href="/categories/black-tea" aria-current="page">Black tea</a>
            <a href="/categories/herbal">Herbal &amp; fruit</a>
            <a href="/categories/teaware">Cups &amp; pots</a>
            </nav>
            <a class="cart" href="/cart">Cart (2)</a>
            </header>
            <main>
            <h1>Black tea</h1>
            <p class="count">
            """)
        number(products.count)
        text(" products</p>\n<ul class=\"products\">\n")
        for (index, product) in products.enumerated() {
            text("<li class=\"product")
            if product.regularPriceMinor != nil {
                text(" sale")
            }
            text("\" data-position=\"")
            number(index + 1)
            text("\">\n<a href=\"/products/")
            escaped(product.slug)
            text("\"><img src=\"/files/products/")
            number(product.id)
            text("-240.jpg\" alt=\"")
            escaped(product.name)
            text("\" loading=\"lazy\">\n<h2>")
            escaped(product.name)
            text("</h2></a>\n<p class=\"price\">")
            escaped(formatEuros(product.priceMinor))
            if let regular = product.regularPriceMinor {
                text(" <s>")
                escaped(formatEuros(regular))
                text("</s>")
            }
            text("</p>\n")
            if !product.inStock {
                text("<p class=\"stock\">Sold out</p>")
            }
            text("\n</li>\n")
        }
        text("""
            </ul>
            <nav class="pagination"><a href="/categories/black-tea?page=2" rel="next">Next page</a></nav>

            </main>
            <footer class="site-footer">
            <ul class="links">
            <li><a href="/pages/shipping">Shipping</a></li>
            <li><a href="/pages/returns">Returns</a></li>
            <li><a href="/pages/contact">Contact</a></li>
            <li><a href="/pages/privacy">Privacy</a></li>
            </ul>
            <p>© 2026 Tea &amp; Co</p>
            </footer>

            </body>
            </html>

            """)
    }
}

// MARK: - Render rate

/// Prints how fast the page work runs without HTTP, on `threadCount` threads that share
/// one template library as the server's workers do: building the context, rendering a
/// prebuilt context, and both, each timed for two seconds. The process's CPU time per
/// page varies less with other load on the machine than the rate does.
func measureRenderRate(library: TemplateLibrary, pageName: String, rows: ProductRowsPerThread, threadCount: Int) {
    let context = makeContext(products: rows.products)
    let timings: [(String, @Sendable () throws -> Int)] = [
        ("context only", { makeContext(products: rows.products)["products"] == nil ? 0 : 1 }),
        ("render only", { try library.renderBytes(pageName, context, translator: translator).count }),
        ("context and render", {
            try library.renderBytes(pageName, makeContext(products: rows.products), translator: translator).count
        }),
        ("hand-written page, no engine", { HandWrittenPage.render(products: rows.products).count }),
    ]
    do {
        let fromEngine = try library.renderBytes(pageName, context, translator: translator)
        guard HandWrittenPage.render(products: rows.products) == fromEngine else {
            fail("the hand-written page differs from \(pageName); update HandWrittenPage to match the templates")
        }
    } catch {
        fail("rendering \(pageName) failed: \(error)")
    }

    print("page work on \(threadCount) thread\(threadCount == 1 ? "" : "s"), \(rows.products.count) products:")
    for (label, body) in timings {
        let iterations = Atomic<Int>(0)
        let failure = Mutex<(any Error)?>(nil)
        let clock = ContinuousClock()
        let start = clock.now
        let cpuStart = processCPUSeconds()

        DispatchQueue.concurrentPerform(iterations: threadCount) { _ in
            var count = 0
            var bytes = 0
            do {
                while clock.now - start < .seconds(2) {
                    bytes &+= try body()
                    count += 1
                }
            } catch {
                failure.withLock { $0 = error }
            }
            // Adding the byte count keeps the optimizer from dropping the work.
            iterations.add(count + (bytes == -1 ? 1 : 0), ordering: .relaxed)
        }

        if let error = failure.withLock({ $0 }) {
            fail("rendering \(pageName) failed: \(error)")
        }
        let cpuSeconds = processCPUSeconds() - cpuStart
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let total = Double(iterations.load(ordering: .relaxed))
        let cpuMicroseconds = cpuSeconds * 1e6 / total
        print("  \(label): \(Int(total / seconds)) per second, \((cpuMicroseconds * 10).rounded() / 10) µs of CPU time each")
    }
}

/// Returns the CPU time, user plus system, that all threads of this process have used.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

// MARK: - Serving

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("storefleet-bench-server: \(message)\n".utf8))
    exit(1)
}

func run() {
    let options: Options
    do {
        options = try Options.parse(Array(CommandLine.arguments.dropFirst()))
    } catch {
        guard let message = error.message else {
            print(Options.usage)
            exit(0)
        }
        fail("\(message); run with --help for the list of options")
    }

    let library: TemplateLibrary
    do {
        library = try TemplateLibrary(root: options.viewsPath)
    } catch {
        fail("cannot load the templates: \(error); pass the benchmark's Views folder with --views")
    }
    let rows = ProductRowsPerThread(count: options.productCount)
    let pageName = "store/products"

    if let dumpPath = options.dumpPath {
        do {
            let page = try library.renderBytes(pageName, makeContext(products: rows.products), translator: translator)
            try Data(page).write(to: URL(fileURLWithPath: dumpPath))
            print("wrote \(page.count) bytes to \(dumpPath)")
            exit(0)
        } catch {
            fail("cannot write the page to \(dumpPath): \(error)")
        }
    }

    if let threadCount = options.renderRateThreads {
        measureRenderRate(library: library, pageName: pageName, rows: rows, threadCount: threadCount)
        exit(0)
    }

    var configuration = ServerConfiguration()
    configuration.host = "127.0.0.1"
    configuration.port = options.port
    configuration.eventLoopCount = options.eventLoopCount
    configuration.workerCount = options.workerCount
    // The allocator setting of the storefleet executable, so the bench server measures
    // the HTTP server as it runs in production.
    MemoryTuning.limitMallocArenas(to: options.workerCount)
    configuration.maxConnections = options.maxConnections

    // The same page for `/rendered-once`, which measures what the HTTP server costs
    // without the page work.
    let renderedOnce: [UInt8]
    do {
        renderedOnce = try library.renderBytes(pageName, makeContext(products: rows.products), translator: translator)
    } catch {
        fail("cannot render \(pageName): \(error)")
    }

    let logger = Logger(minimumLevel: options.logsRequests ? .info : .warning)
    let htmlHeaders: HTTPHeaders = ["Content-Type": "text/html; charset=utf-8"]
    let server = HTTPServer(configuration: configuration, logger: logger) { request in
        guard request.method == .get || request.method == .head else {
            throw HTTPError(.methodNotAllowed, "only GET and HEAD are served", headers: ["Allow": "GET, HEAD"])
        }
        switch request.path {
        case "/":
            let page = try library.renderBytes(pageName, makeContext(products: rows.products), translator: translator)
            return Response(status: .ok, headers: htmlHeaders, body: .bytes(page))
        case "/rendered-once":
            return Response(status: .ok, headers: htmlHeaders, body: .bytes(renderedOnce))
        case "/ping":
            return .text("pong\n")
        default:
            throw HTTPError(.notFound, "no page at \(request.path): this server serves only /, /rendered-once and /ping")
        }
    }

    do {
        try server.start()
        try server.installSignalHandlers()
    } catch {
        fail("cannot start: \(error)")
    }
    // Written unbuffered, because the scripts wait for this line in a file.
    FileHandle.standardOutput.write(Data("listening http://127.0.0.1:\(server.port)/\n".utf8))
    server.waitUntilStopped()
}

run()
