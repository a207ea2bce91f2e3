import Foundation
import SQLite

/// The changes staff make to an order. Each is allowed only from certain states and throws
/// `OrderError.invalidTransition` otherwise. Each writes a timeline event, and the mails
/// `composeMails` returns for the changed order, in the same transaction as the change.
///
/// Allowed changes:
///
/// | action | status before | fulfilment before |
/// |---|---|---|
/// | mark paid | pending payment | any |
/// | ship | pending payment or paid (cash on delivery ships unpaid) | unfulfilled |
/// | mark delivered | pending payment or paid | shipped |
/// | cancel | pending payment or paid | unfulfilled |
extension OrderStore {
    public static let maximumCarrierLength = 100
    public static let maximumTrackingNumberLength = 100
    public static let maximumReferenceLength = 200
    public static let maximumNoteLength = 2_000

    /// Marks order `id` as paid, for example when the bank transfer arrived, or when an
    /// online processor confirmed the payment.
    ///
    /// - Parameter reference: the payment's reference, such as the processor's transaction
    ///   id; empty or nil for none.
    /// - Throws: `OrderError.invalidTransition`, `ValidationErrors` on `reference`,
    ///   `CommerceError.notFound`.
    @discardableResult
    public func markPaid(
        id: Int64,
        by actor: OrderActor,
        reference: String? = nil,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        let reference = reference?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        var errors = ValidationErrors()
        Self.checkShortText(reference, field: "reference", label: "Payment reference", maximum: Self.maximumReferenceLength, required: false, into: &errors)
        try errors.throwIfAny()

        return try change(id: id, action: .markPaid, by: actor, allowed: { $0.status == .pendingPayment }, composeMails: composeMails) { order, time, database in
            try database.run(
                "UPDATE orders SET status = 'paid', paid_at = ?, payment_reference = ?, updated_at = ? WHERE id = ?",
                time, reference.isEmpty ? nil : reference, time, order.id
            )
            let suffix = reference.isEmpty ? "" : " (reference \(reference))"
            return (.paid, "Payment of \(Self.formatted(order.total, order)) received\(suffix).")
        }
    }

    /// Marks order `id` as handed to `carrier` with `trackingNumber`.
    ///
    /// - Throws: `ValidationErrors` on `carrier` and `trackingNumber` (both required),
    ///   `OrderError.invalidTransition`, `CommerceError.notFound`.
    @discardableResult
    public func ship(
        id: Int64,
        carrier: String,
        trackingNumber: String,
        by actor: OrderActor,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        let carrier = carrier.trimmingCharacters(in: .whitespacesAndNewlines)
        let trackingNumber = trackingNumber.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors = ValidationErrors()
        Self.checkShortText(carrier, field: "carrier", label: "Carrier", maximum: Self.maximumCarrierLength, required: true, into: &errors)
        Self.checkShortText(trackingNumber, field: "trackingNumber", label: "Tracking number", maximum: Self.maximumTrackingNumberLength, required: true, into: &errors)
        try errors.throwIfAny()

        return try change(id: id, action: .ship, by: actor, allowed: { $0.status.isOpen && $0.fulfillment == .unfulfilled }, composeMails: composeMails) { order, time, database in
            try database.run(
                """
                UPDATE orders SET fulfillment = 'shipped', carrier = ?, tracking_number = ?, shipped_at = ?, updated_at = ?
                WHERE id = ?
                """,
                carrier, trackingNumber, time, time, order.id
            )
            return (.shipped, "Shipped with \(carrier), tracking number \(trackingNumber).")
        }
    }

    /// Marks shipped order `id` as delivered.
    ///
    /// - Throws: `OrderError.invalidTransition`, `CommerceError.notFound`.
    @discardableResult
    public func markDelivered(
        id: Int64,
        by actor: OrderActor,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        try change(id: id, action: .markDelivered, by: actor, allowed: { $0.status.isOpen && $0.fulfillment == .shipped }, composeMails: composeMails) { order, time, database in
            try database.run(
                "UPDATE orders SET fulfillment = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ?", time, time, order.id
            )
            return (.delivered, "Delivered.")
        }
    }

    /// Cancels unshipped order `id` and puts back the stock of every line whose product
    /// still exists. A paid order's refund happens outside Storefleet.
    ///
    /// - Parameter reason: shown in the timeline; may be empty.
    /// - Throws: `OrderError.invalidTransition`, `ValidationErrors` on `reason`,
    ///   `CommerceError.notFound`.
    @discardableResult
    public func cancel(
        id: Int64,
        reason: String = "",
        by actor: OrderActor,
        composeMails: (Order) throws -> [OutgoingMail] = { _ in [] }
    ) throws -> Order {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.count > Self.maximumNoteLength {
            throw ValidationErrors(field: "reason", message: "Reason must be at most \(formatWithGrouping(Self.maximumNoteLength)) characters; it has \(formatWithGrouping(reason.count)).")
        }

        return try change(id: id, action: .cancel, by: actor, allowed: { $0.status.isOpen && $0.fulfillment == .unfulfilled }, composeMails: composeMails) { order, time, database in
            try database.run(
                "UPDATE orders SET status = 'canceled', canceled_at = ?, updated_at = ? WHERE id = ?", time, time, order.id
            )
            try Self.restoreStock(of: order, in: database)
            let refund = order.status == .paid ? " The payment of \(Self.formatted(order.total, order)) needs a refund." : ""
            let because = reason.isEmpty ? "" : " Reason: \(reason)"
            return (.canceled, "Canceled; stock put back.\(refund)\(because)")
        }
    }

    /// Adds an internal note to order `id`'s timeline; shoppers never see it.
    ///
    /// - Throws: `ValidationErrors` on `note`, `CommerceError.notFound`.
    @discardableResult
    public func addNote(id: Int64, text: String, by actor: OrderActor) throws -> OrderEvent {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            throw ValidationErrors(field: "note", message: "Note is empty; write something to add it.")
        }
        if text.count > Self.maximumNoteLength {
            throw ValidationErrors(field: "note", message: "Note must be at most \(formatWithGrouping(Self.maximumNoteLength)) characters; it has \(formatWithGrouping(text.count)).")
        }

        return try database.transaction(.immediate) { database in
            let order = try Self.require(id: id, in: database)
            let time = now()
            try Self.recordEvent(.note, orderID: order.id, actor: actor, message: text, at: time, in: database)
            try database.run("UPDATE orders SET updated_at = ? WHERE id = ?", time, order.id)
            guard let event = try database.queryFirst(
                "SELECT \(OrderEvent.columns) FROM order_events WHERE id = ?", database.lastInsertRowID, map: OrderEvent.init(row:)
            ) else {
                throw CommerceError.notFound(entity: "order event", id: String(database.lastInsertRowID))
            }
            return event
        }
    }

    // MARK: - Helpers

    /// Loads order `id`, checks `allowed`, applies `update` (which returns the event to
    /// record), records the event, and enqueues the mails for the changed order.
    private func change(
        id: Int64,
        action: OrderAction,
        by actor: OrderActor,
        allowed: (Order) -> Bool,
        composeMails: (Order) throws -> [OutgoingMail],
        update: (Order, Date, Database) throws -> (OrderEvent.Kind, String)
    ) throws -> Order {
        try database.transaction(.immediate) { database in
            let order = try Self.require(id: id, in: database)
            guard allowed(order) else {
                throw OrderError.invalidTransition(number: order.number, action: action, status: order.status, fulfillment: order.fulfillment)
            }

            let time = now()
            let (kind, message) = try update(order, time, database)
            try Self.recordEvent(kind, orderID: order.id, actor: actor, message: message, at: time, in: database)

            let changed = try Self.require(id: id, in: database)
            try Self.enqueueMails(composeMails(changed), for: changed, at: time, in: database)
            return changed
        }
    }

    static func formatted(_ amount: Int64, _ order: Order) -> String {
        guard let currency = order.currency else { return "\(amount) \(order.currencyCode)" }
        return Money(minorUnits: amount, currency: currency).formatted()
    }

    static func checkShortText(_ text: String, field: String, label: String, maximum: Int, required: Bool, into errors: inout ValidationErrors) {
        if text.isEmpty {
            if required {
                errors.add("\(label) is required.", for: field)
            }
        } else if text.count > maximum {
            errors.add("\(label) must be at most \(maximum) characters; it has \(text.count).", for: field)
        } else if text.containsControlCharacters {
            errors.add("\(label) must not contain line breaks or control characters.", for: field)
        }
    }
}
