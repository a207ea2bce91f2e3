import Testing
@testable import Templates

@Test func smoke() throws {
    let html = try render("<p>{{ product.name }}</p>{{#each items as item}}{{ loop.number }}={{ item }} {{/each}}", [
        "product": ["name": "Tea & <Cake>"],
        "items": ["a", "b"],
    ])
    #expect(html == "<p>Tea &amp; &lt;Cake&gt;</p>1=a 2=b ")
}
