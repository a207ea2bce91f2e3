import Testing
import Commerce

@Suite struct ValidationErrorsTests {
    @Test func collectsMessagesPerFieldInOrder() {
        var errors = ValidationErrors()
        #expect(errors.isEmpty)

        errors.add("Title is required.", for: "title")
        errors.add("Price must be 0 or more.", for: "price")
        errors.add("Title must be at most 200 characters.", for: "title")

        #expect(!errors.isEmpty)
        #expect(errors.fields == ["title", "price"])
        #expect(errors["title"] == ["Title is required.", "Title must be at most 200 characters."])
        #expect(errors["price"] == ["Price must be 0 or more."])
        #expect(errors["stock"] == [])
        #expect(errors.description == "title: Title is required. title: Title must be at most 200 characters. price: Price must be 0 or more.")
    }

    @Test func throwIfAnyThrowsOnlyWithMessages() throws {
        try ValidationErrors().throwIfAny()

        let errors = ValidationErrors(field: "email", message: "Email is required.")
        #expect(throws: errors) { try errors.throwIfAny() }
    }

    @Test func mergeKeepsBothSides() {
        var first = ValidationErrors(field: "a", message: "one")
        var second = ValidationErrors(field: "b", message: "two")
        second.add("three", for: "a")
        first.merge(second)
        #expect(first.fields == ["a", "b"])
        #expect(first["a"] == ["one", "three"])
    }

    @Test func translatableMessagesKeepTheirKeys() {
        var first = ValidationErrors(field: "email", message: "Email is required.")
        var second = ValidationErrors()
        let required = TranslatableMessage("field.error.required", ["field": .translated(key: "checkout.label.email")], english: "Email is required.")
        second.add(required, for: "email")
        second.add(TranslatableMessage("checkout.error.choosePaymentMethod", english: "Choose a payment method."), for: "paymentMethod")

        // The text reads the same whichever way a message was added.
        #expect(first == ValidationErrors(field: "email", message: required))
        first.merge(second)
        #expect(first["email"] == ["Email is required.", "Email is required."])
        #expect(first.translatableMessages(for: "email").map(\.key) == ["", "field.error.required"])
        #expect(first.translatableMessages(for: "email").last == required)
        #expect(first.translatableMessages(for: "paymentMethod").map(\.key) == ["checkout.error.choosePaymentMethod"])
        #expect(first.translatableMessages(for: "notes") == [])
    }
}
