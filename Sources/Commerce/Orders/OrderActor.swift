/// Who made a change to an order, as the timeline shows it.
public enum OrderActor: Sendable, Hashable, CustomStringConvertible {
    case shopper
    /// A background job, such as abandonment, or a payment processor's confirmation.
    case system
    case staff(id: Int64, name: String)

    /// The stored form: "shopper", "system" or "staff:12 Ann".
    public var storedValue: String {
        switch self {
        case .shopper:
            return "shopper"
        case .system:
            return "system"
        case .staff(let id, let name):
            // A name with a line break would make the timeline misleading; names are
            // validated elsewhere, so this only guards against a caller's mistake.
            let singleLine = name.split(whereSeparator: \.isNewline).joined(separator: " ")
            return "staff:\(id) \(singleLine)"
        }
    }

    /// Reads the stored form back. Unknown text reads as `.system`.
    public init(storedValue: String) {
        switch storedValue {
        case "shopper":
            self = .shopper
        case "system":
            self = .system
        default:
            guard storedValue.hasPrefix("staff:") else {
                self = .system
                return
            }
            let rest = storedValue.dropFirst("staff:".count)
            let idText = rest.prefix { $0.isNumber }
            let name = rest.dropFirst(idText.count).drop { $0 == " " }
            self = .staff(id: Int64(idText) ?? 0, name: String(name))
        }
    }

    /// The name the timeline shows: the staff member's name, "Shopper" or "System".
    public var description: String {
        switch self {
        case .shopper: return "Shopper"
        case .system: return "System"
        case .staff(_, let name): return name
        }
    }
}
