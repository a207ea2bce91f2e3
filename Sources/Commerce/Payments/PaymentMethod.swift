import Foundation
import SQLite

/// A payment method as the merchant configured it: its kind, the name shoppers see, the
/// instructions they get, and whether checkout offers it.
public struct PaymentMethod: Sendable, Hashable, Identifiable {
    public let id: Int64
    public let kind: PaymentMethodKind
    public var name: String
    public var instructions: String
    public var isEnabled: Bool
    public var position: Int

    /// The code behind the method, nil when this version does not know its kind.
    public var processor: (any PaymentProcessor)? { PaymentProcessors.processor(for: kind) }

    static let columns = "id, kind, name, instructions, enabled, position"

    init(row: Row) throws {
        id = try row.get("id")
        kind = PaymentMethodKind(rawValue: try row.get("kind"))
        name = try row.get("name")
        instructions = try row.get("instructions")
        isEnabled = try row.get("enabled")
        position = try row.get("position")
    }
}

/// The fields a merchant edits for one payment method.
public struct PaymentMethodInput: Sendable, Hashable {
    public static let maximumNameLength = 100
    public static let maximumInstructionsLength = 2_000

    public var name: String
    public var instructions: String
    public var isEnabled: Bool
    public var position: Int

    public init(name: String, instructions: String = "", isEnabled: Bool, position: Int = 0) {
        self.name = name
        self.instructions = instructions
        self.isEnabled = isEnabled
        self.position = position
    }

    /// Creates the input of an existing method, to prefill the edit form.
    public init(_ method: PaymentMethod) {
        self.init(name: method.name, instructions: method.instructions, isEnabled: method.isEnabled, position: method.position)
    }

    /// Returns the input with name and instructions trimmed, plus a message for each invalid
    /// field (`name`, `instructions`, `isEnabled`, `position`).
    func normalizedAndValidated(for kind: PaymentMethodKind) -> (PaymentMethodInput, ValidationErrors) {
        var input = self
        var errors = ValidationErrors()

        input.name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.name.isEmpty {
            errors.add("Name is required; it is what shoppers see at checkout.", for: "name")
        } else if input.name.count > Self.maximumNameLength {
            errors.add("Name must be at most \(Self.maximumNameLength) characters; it has \(input.name.count).", for: "name")
        } else if input.name.containsControlCharacters {
            errors.add("Name must not contain line breaks or control characters.", for: "name")
        }

        input.instructions = instructions.trimmingCharacters(in: .whitespacesAndNewlines)
        if input.instructions.count > Self.maximumInstructionsLength {
            errors.add("Instructions must be at most \(formatWithGrouping(Self.maximumInstructionsLength)) characters; they have \(formatWithGrouping(input.instructions.count)).", for: "instructions")
        }

        let processor = PaymentProcessors.processor(for: kind)
        if input.isEnabled && processor == nil {
            errors.add("This version of Storefleet cannot take payments of kind “\(kind.rawValue)”; leave the method disabled.", for: "isEnabled")
        } else if input.isEnabled, processor?.requiresInstructions == true, input.instructions.isEmpty {
            errors.add("Instructions are required to enable \(input.name.isEmpty ? "this method" : input.name): write what shoppers need to pay, such as the account holder, IBAN and BIC.", for: "instructions")
        }

        if position < 0 || position > ShippingMethodInput.maximumPosition {
            errors.add("Position must be between 0 and \(formatWithGrouping(ShippingMethodInput.maximumPosition)).", for: "position")
        }
        return (input, errors)
    }
}
