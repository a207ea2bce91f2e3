import Commerce
import Foundation
import Testing

@Suite struct ShippingMethodStoreTests {
    @Test func createNormalizesCountries() throws {
        let store = try TestStore()
        try store.saveSettings()
        let method = try store.shippingMethods.create(ShippingMethodInput(
            name: "  Express ", price: 900, countries: .only(["pt", " es", "ES"]), position: 2
        ))
        #expect(method.name == "Express")
        #expect(method.countries == .only(["ES", "PT"]))
        #expect(method.isActive)
        #expect(method.position == 2)
        #expect(try store.shippingMethods.find(id: method.id) == method)
    }

    @Test func invalidInputNamesEachField() throws {
        let store = try TestStore()
        try store.saveSettings()
        let errors = try validationErrors {
            try store.shippingMethods.create(ShippingMethodInput(
                name: " ", price: -1, freeFromSubtotal: -5, countries: .only(["XX", "ES"]), position: -1
            ))
        }
        #expect(errors?["name"] == ["Name is required, for example Standard delivery."])
        #expect(errors?["price"] == ["Price must be 0 or more."])
        #expect(errors?["freeFromSubtotal"] == ["Free shipping threshold must be 0 or more, or empty for none."])
        #expect(errors?["countries"] == ["“XX” is not an ISO 3166-1 country code; choose countries from the list."])
        #expect(errors?["position"] == ["Position must be between 0 and 10,000."])
        #expect(try store.shippingMethods.list().isEmpty)
    }

    @Test func emptyCountryListIsRejected() throws {
        let store = try TestStore()
        try store.saveSettings()
        let errors = try validationErrors {
            try store.shippingMethods.create(ShippingMethodInput(name: "Nowhere", price: 0, countries: .only([])))
        }
        #expect(errors?["countries"] == ["Choose at least one country, or choose all countries."])
    }

    @Test func availableFiltersAndPrices() throws {
        let store = try TestStore()
        try store.saveSettings()
        let iberia = try store.shippingMethods.create(ShippingMethodInput(
            name: "Iberia", price: 500, freeFromSubtotal: 5000, countries: .only(["ES", "PT"]), position: 1
        ))
        let world = try store.shippingMethods.create(ShippingMethodInput(name: "World", price: 2500, position: 2))
        _ = try store.shippingMethods.create(ShippingMethodInput(name: "Paused", price: 100, isActive: false, position: 0))

        let spainSmall = try store.shippingMethods.available(for: "es", subtotal: 4999)
        #expect(spainSmall.map(\.method.id) == [iberia.id, world.id])
        #expect(spainSmall.map(\.price) == [500, 2500])
        #expect(spainSmall[0].isFree == false)

        let spainLarge = try store.shippingMethods.available(for: "ES", subtotal: 5000)
        #expect(spainLarge.map(\.price) == [0, 2500])
        #expect(spainLarge[0].isFree)

        let france = try store.shippingMethods.available(for: "FR", subtotal: 100)
        #expect(france.map(\.method.id) == [world.id])
    }

    @Test func updateAndDelete() throws {
        let store = try TestStore()
        try store.saveSettings()
        let method = try store.shippingMethods.create(ShippingMethodInput(name: "Standard", price: 500))
        store.clock.advance(by: 60)

        var input = ShippingMethodInput(method)
        input.price = 650
        input.isActive = false
        let updated = try store.shippingMethods.update(id: method.id, with: input)
        #expect(updated.price == 650)
        #expect(!updated.isActive)
        #expect(updated.updatedAt == store.clock.now)

        try store.shippingMethods.delete(id: method.id)
        #expect(try store.shippingMethods.find(id: method.id) == nil)
        #expect(throws: CommerceError.notFound(entity: "shipping method", id: String(method.id))) {
            try store.shippingMethods.delete(id: method.id)
        }
    }

    @Test func countryTableIsComplete() {
        #expect(Country.all.count == 249)
        #expect(Set(Country.all.map(\.code)).count == 249)
        #expect(Country.named(" es ")?.name == "Spain")
        #expect(Country.named("XK") == nil)
        #expect(Country.all.first?.code == "AF")
        #expect(Country.all[1].code == "AX")
        #expect(Country.named("US")?.regionIsRequired == true)
        #expect(Country.named("HK")?.postalCodeIsOptional == true)
        #expect(Country.named("DE")?.postalCodeIsOptional == false)
    }
}
