import Testing
@testable import Templates

@Suite struct LayoutTests {
    static let base = """
    <html><title>{{#block "title"}}Default title{{/block}}</title>
    <body>{{#block "body"}}Default body{{/block}}</body>
    <footer>{{#block "footer"}}Default footer{{/block}}</footer></html>
    """

    @Test func pageBlocksReplaceLayoutDefaults() throws {
        let html = try render(
            """
            {{#layout "layouts/base"}}
            {{#block "title"}}{{ product.name }}{{/block}}
            {{#block "body"}}<h1>{{ product.name }}</h1>{{/block}}
            """,
            ["product": ["name": "Tea & Cake"]],
            files: ["layouts/base": LayoutTests.base]
        )
        #expect(html == """
        <html><title>Tea &amp; Cake</title>
        <body><h1>Tea &amp; Cake</h1></body>
        <footer>Default footer</footer></html>
        """)
    }

    @Test func layoutRenderedDirectlyShowsDefaults() throws {
        let folder = try TemplateFolder(["layouts/base": LayoutTests.base])
        let html = try folder.library().render("layouts/base", [:])
        #expect(html == """
        <html><title>Default title</title>
        <body>Default body</body>
        <footer>Default footer</footer></html>
        """)
    }

    @Test func twoLevelLayouts() throws {
        let files = [
            "layouts/base": LayoutTests.base,
            "layouts/store": """
            {{!-- The store frame fills the base's body and adds its own blocks. --}}
            {{#layout "layouts/base"}}
            {{#block "title"}}{{#block "pageTitle"}}Shop{{/block}} | {{ store.name }}{{/block}}
            {{#block "body"}}<nav>{{ store.name }}</nav><main>{{#block "content"}}Nothing yet{{/block}}</main>{{/block}}
            """,
        ]
        let withContent = try render(
            """
            {{#layout "layouts/store"}}
            {{#block "pageTitle"}}Cart{{/block}}
            {{#block "content"}}{{ cart.count }} items{{/block}}
            """,
            ["store": ["name": "Tea & Co"], "cart": ["count": 2]],
            files: files
        )
        #expect(withContent == """
        <html><title>Cart | Tea &amp; Co</title>
        <body><nav>Tea &amp; Co</nav><main>2 items</main></body>
        <footer>Default footer</footer></html>
        """)

        let overridingMiddle = try render(
            """
            {{#layout "layouts/store"}}
            {{#block "title"}}Own title{{/block}}
            {{#block "footer"}}Own footer{{/block}}
            """,
            ["store": ["name": "Tea & Co"]],
            files: files
        )
        #expect(overridingMiddle == """
        <html><title>Own title</title>
        <body><nav>Tea &amp; Co</nav><main>Nothing yet</main></body>
        <footer>Own footer</footer></html>
        """)
    }

    @Test func blocksUseLoopsConditionalsAndPartials() throws {
        let html = try render(
            """
            {{#layout "layout"}}
            {{#block "body"}}
            {{#each items as item}}
            {{> row item }}
            {{/each}}
            {{/block}}
            """,
            ["items": ["a", "b"]],
            files: [
                "layout": "<main>\n{{#block \"body\"}}{{/block}}</main>\n",
                "row": "<p>{{ this }}</p>\n",
            ]
        )
        #expect(html == "<main>\n<p>a</p>\n<p>b</p>\n</main>\n")
    }

    @Test func partialMayUseALayout() throws {
        let html = try render(
            "[{{> panel }}]",
            ["title": "Hi"],
            files: [
                "panel": "{{#layout \"frame\"}}{{#block \"inside\"}}{{ title }}{{/block}}",
                "frame": "<div>{{#block \"inside\"}}{{/block}}</div>",
            ]
        )
        #expect(html == "[<div>Hi</div>]")
    }

    @Test func fixtureStorePage() throws {
        let library = try TemplateLibrary(root: fixturesRoot)
        let html = try library.render("store/home", storeContext(productCount: 2), translator: englishTranslator)
        #expect(html == """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Tea &amp; Co – Home</title>
        <link rel="stylesheet" href="/assets/store.css">
        </head>
        <body class="page home">
        <header class="site-header">
        <a class="logo" href="/">Tea &amp; Co</a>
        <nav>
        <a href="/categories/tea" aria-current="page">Tea</a>
        <a href="/categories/cups">Cups &amp; Pots</a>
        </nav>
        <a class="cart" href="/cart">Cart (2)</a>
        </header>
        <main>
        <h1>Fresh leaves, &quot;hand-picked&quot;</h1>
        <section class="products">
        <article class="card sale" data-position="1">
        <a href="/products/product-0"><img src="/files/products/1000.jpg" alt="Earl Grey &amp; Lemon &lt;Loose&gt;" loading="lazy">
        <h2>Earl Grey &amp; Lemon &lt;Loose&gt;</h2></a>
        <p class="price">€10.50 <s>€12.00</s></p>

        <ul class="tags"><li>organic</li><li>new</li></ul>
        </article>
        <article class="card" data-position="2">
        <a href="/products/product-1"><img src="/files/products/1001.jpg" alt="Product 1" loading="lazy">
        <h2>Product 1</h2></a>
        <p class="price">€11.50</p>


        </article>
        </section>
        </main>
        <footer class="site-footer">
        <p>© 2026 Tea &amp; Co</p>
        <ul>
        <li><a href="/pages/shipping">Shipping</a></li>
        <li><a href="/pages/returns">Returns</a></li>
        </ul>
        </footer>
        </body>
        </html>

        """)
    }

    @Test func fixtureStorePageWithoutProducts() throws {
        let library = try TemplateLibrary(root: fixturesRoot)
        let html = try library.render("store/home", storeContext(productCount: 0), translator: englishTranslator)
        #expect(html.contains("<section class=\"products\">\n<p class=\"empty\">No products yet.</p>\n</section>"))
        #expect(library.templateNames == ["layouts/base", "layouts/store", "partials/footer", "partials/product-card", "store/home"])
    }
}
