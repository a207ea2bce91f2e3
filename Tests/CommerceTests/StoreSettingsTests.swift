import Commerce
import Foundation
import SQLite
import Testing

@Suite struct StoreSettingsTests {
    @Test func newStoreHasDefaults() throws {
        let store = try TestStore()
        let settings = try StoreSettings.load(from: store.database)
        #expect(settings == StoreSettings.defaults)
        #expect(settings.customerLoginMode == .disabled)
        #expect(settings.language == "en")
        #expect(settings.currencyCode == "USD")
    }

    @Test func saveAndLoadRoundTrip() throws {
        let store = try TestStore()
        let saved = StoreSettings(
            storeName: "  Trailhead Supply ",
            contactEmail: " hello@trailhead.example ",
            currencyCode: "clp",
            customerLoginMode: .required,
            language: "es",
            timeZoneIdentifier: "America/Santiago"
        )
        try saved.save(to: store.database)

        let loaded = try StoreSettings.load(from: store.database)
        #expect(loaded.storeName == "Trailhead Supply")
        #expect(loaded.contactEmail == "hello@trailhead.example")
        #expect(loaded.currencyCode == "CLP")
        #expect(loaded.currency?.minorUnits == 0)
        #expect(loaded.customerLoginMode == .required)
        #expect(loaded.language == "es")
        #expect(loaded.timeZoneIdentifier == "America/Santiago")
    }

    @Test func validationNamesEachField() {
        let settings = StoreSettings(
            storeName: "   ",
            contactEmail: "hello",
            currencyCode: "XYZ",
            language: "fr",
            timeZoneIdentifier: "Mars/Olympus"
        )
        let errors = settings.validate()
        #expect(errors.fields == ["storeName", "contactEmail", "currencyCode", "language", "timeZoneIdentifier"])
        #expect(errors["storeName"] == ["Store name is required."])
        #expect(errors["contactEmail"] == ["Contact email “hello” is not an email address; enter it as name@example.com."])
        #expect(errors["currencyCode"] == ["Currency “XYZ” is not supported; choose one from the list."])
        #expect(errors["language"] == ["Language “fr” is not supported; choose one of en, es."])
        #expect(errors["timeZoneIdentifier"] == ["Time zone “Mars/Olympus” is not a known IANA time zone such as Europe/Madrid; choose one from the list."])
    }

    @Test func longOrMultilineNameIsRejected() {
        var settings = StoreSettings(storeName: String(repeating: "x", count: 101), contactEmail: "a@b.example")
        #expect(settings.validate()["storeName"] == ["Store name must be at most 100 characters; it has 101."])

        settings.storeName = "Trailhead\nSupply"
        #expect(settings.validate()["storeName"] == ["Store name must not contain line breaks or control characters."])
    }

    @Test func invalidSaveWritesNothing() throws {
        let store = try TestStore()
        try store.saveSettings()

        var changed = try StoreSettings.load(from: store.database)
        changed.storeName = "New name"
        changed.contactEmail = "not an email"
        let errors = try validationErrors { try changed.save(to: store.database) }
        #expect(errors?.fields == ["contactEmail"])
        #expect(try StoreSettings.load(from: store.database).storeName == "Trailhead Supply")
    }

    @Test func currencyWithOtherDecimalsRejectedWithProducts() throws {
        let store = try TestStore()
        try store.saveSettings(currencyCode: "USD")

        var settings = try StoreSettings.load(from: store.database)
        settings.currencyCode = "EUR"
        try settings.save(to: store.database)

        try store.products.create(ProductInput(title: "Mug", price: 1999))
        settings.currencyCode = "JPY"
        let errors = try validationErrors { try settings.save(to: store.database) }
        #expect(errors?["currencyCode"] == [
            "The store's prices are in EUR, which has 2 decimal places, and JPY has 0; choose a currency with 2 decimal places, or delete the products first."
        ])
        #expect(try StoreSettings.load(from: store.database).currencyCode == "EUR")
    }

    @Test func unknownStoredModeIsReported() throws {
        let store = try TestStore()
        try store.database.run("INSERT INTO settings (key, value) VALUES ('customer_login_mode', 'sometimes')")
        #expect(throws: CommerceError.corruptRecord(table: "settings", column: "customer_login_mode", value: "sometimes")) {
            try StoreSettings.load(from: store.database)
        }
    }

    @Test func unknownKeysSurviveSave() throws {
        let store = try TestStore()
        try store.database.run("INSERT INTO settings (key, value) VALUES ('future_setting', 'on')")
        try store.saveSettings()
        #expect(try store.database.scalar("SELECT value FROM settings WHERE key = 'future_setting'", as: String.self) == "on")
    }
}
