import Commerce
import Foundation
import Testing

@Suite struct PaymentMethodStoreTests {
    @Test func newStoreHasDisabledManualMethods() throws {
        let store = try TestStore()
        let methods = try store.paymentMethods.list()
        #expect(methods.map(\.kind) == [.bankTransfer, .cashOnDelivery, .payInStore])
        #expect(methods.map(\.name) == ["Bank transfer", "Cash on delivery", "Pay in store"])
        #expect(methods.allSatisfy { !$0.isEnabled })
        #expect(try store.paymentMethods.enabled().isEmpty)
    }

    @Test func bankTransferNeedsInstructions() throws {
        let store = try TestStore()
        let bank = try #require(try store.paymentMethods.find(kind: .bankTransfer))
        let errors = try validationErrors {
            try store.paymentMethods.update(id: bank.id, with: PaymentMethodInput(name: "Bank transfer", instructions: "  ", isEnabled: true))
        }
        #expect(errors?["instructions"] == ["Instructions are required to enable Bank transfer: write what shoppers need to pay, such as the account holder, IBAN and BIC."])
        #expect(try store.paymentMethods.find(id: bank.id)?.isEnabled == false)
    }

    @Test func renameEnableAndReorder() throws {
        let store = try TestStore()
        let cash = try #require(try store.paymentMethods.find(kind: .cashOnDelivery))
        let updated = try store.paymentMethods.update(
            id: cash.id, with: PaymentMethodInput(name: " Pay the courier ", isEnabled: true, position: 0)
        )
        #expect(updated.name == "Pay the courier")
        #expect(updated.isEnabled)
        #expect(try store.paymentMethods.enabled().map(\.id) == [cash.id])
        #expect(try store.paymentMethods.list().first?.id == cash.id)
    }

    @Test func invalidNameIsRejected() throws {
        let store = try TestStore()
        let cash = try #require(try store.paymentMethods.find(kind: .cashOnDelivery))
        let errors = try validationErrors {
            try store.paymentMethods.update(id: cash.id, with: PaymentMethodInput(name: "Cash\non delivery", isEnabled: true))
        }
        #expect(errors?["name"] == ["Name must not contain line breaks or control characters."])
    }

    @Test func unknownKindIsNeverOffered() throws {
        let store = try TestStore()
        try store.database.run("INSERT INTO payment_methods (kind, name, enabled, position) VALUES ('future_card', 'Card', 1, 9)")
        #expect(try store.paymentMethods.list().count == 4)
        #expect(try store.paymentMethods.enabled().isEmpty)
        let card = try #require(try store.paymentMethods.find(kind: PaymentMethodKind(rawValue: "future_card")))
        #expect(card.processor == nil)
        let errors = try validationErrors {
            try store.paymentMethods.update(id: card.id, with: PaymentMethodInput(name: "Card", isEnabled: true))
        }
        #expect(errors?["isEnabled"] == ["This version of Storefleet cannot take payments of kind “future_card”; leave the method disabled."])
    }

    @Test func manualProcessorsStartPending() {
        for processor in PaymentProcessors.registered {
            #expect(processor.initialStatus == .pendingPayment)
        }
        #expect(PaymentProcessors.processor(for: .bankTransfer)?.requiresInstructions == true)
        #expect(PaymentProcessors.processor(for: .payInStore)?.requiresInstructions == false)
    }
}
