import Commerce
import Foundation
import Templates

/// Template values for the admin's order pages. Amounts are formatted in the order's own
/// currency, which differs from the store's only when the merchant changed currency after
/// the order was placed.
enum AdminOrderValues {
    static func money(_ minorUnits: Int64, currencyCode: String, fallback: Currency) -> String {
        Money(minorUnits: minorUnits, currency: Currency.named(currencyCode) ?? fallback).formatted()
    }

    /// The CSS tone of a status pill: green once paid or delivered, grey when closed.
    static func tone(_ status: OrderStatus) -> String {
        switch status {
        case .pendingPayment: return "warn"
        case .paid: return "ok"
        case .canceled, .abandoned: return "off"
        }
    }

    static func tone(_ fulfillment: FulfillmentStatus) -> String {
        switch fulfillment {
        case .unfulfilled: return "warn"
        case .shipped: return "accent"
        case .delivered: return "ok"
        }
    }

    static func summary(_ order: OrderSummary, currency: Currency) -> TemplateValue {
        TemplateValue(fields: [
            "id": order.id,
            "number": order.number,
            "placedAt": AdminFormat.dateTime(order.placedAt),
            "customerName": order.customerName,
            "email": order.email,
            "status": order.status.label,
            "statusTone": tone(order.status),
            "fulfillment": order.fulfillment.label,
            "fulfillmentTone": tone(order.fulfillment),
            "paymentMethod": order.paymentMethodName,
            "itemCount": order.itemCount,
            "total": money(order.total, currencyCode: order.currencyCode, fallback: currency),
        ])
    }

    /// Returns the address's lines as its country's post writes them, with the country in
    /// English as the admin is. Empty lines are left out, so the template prints one per
    /// entry.
    static func address(_ address: Address) -> TemplateValue {
        address.linesValue(language: Translations.fallbackLanguage)
    }

    static func detail(_ order: Order, currency: Currency) -> TemplateValue {
        let format = { (amount: Int64) in money(amount, currencyCode: order.currencyCode, fallback: currency) }
        let lines: [TemplateValue] = order.lines.map { line in
            TemplateValue(fields: [
                "title": line.title,
                "sku": line.sku ?? "",
                "productID": line.productID,
                "unitPrice": format(line.unitPrice),
                "quantity": line.quantity,
                "lineTotal": format(line.lineTotal),
            ])
        }
        return TemplateValue(fields: [
            "id": order.id,
            "number": order.number,
            "status": order.status.label,
            "statusTone": tone(order.status),
            "fulfillment": order.fulfillment.label,
            "fulfillmentTone": tone(order.fulfillment),
            // "Unfulfilled" on a canceled or abandoned order reads as work still to do.
            "showsFulfillment": order.fulfillment != .unfulfilled || (order.status != .canceled && order.status != .abandoned),
            "email": order.email,
            "customerName": order.shippingAddress.name,
            "shippingAddress": address(order.shippingAddress),
            "billingAddress": address(order.billingAddress),
            "billingIsShipping": order.billingAddress == order.shippingAddress,
            "lines": TemplateValue.array(lines),
            "itemCount": order.itemCount,
            "subtotal": format(order.subtotal),
            "shippingMethod": order.shippingMethodName,
            "shippingPrice": order.shippingPrice == 0 ? "Free" : format(order.shippingPrice),
            "total": format(order.total),
            "currencyCode": order.currencyCode,
            "paymentMethod": order.paymentMethodName,
            // Cash on delivery is paid at the door, so only other unpaid orders get a warning
            // before shipping.
            "unpaidBeforeShipping": order.status == .pendingPayment && order.paymentMethodKind != .cashOnDelivery,
            "paymentInstructions": order.paymentInstructions,
            "paymentReference": order.paymentReference,
            "carrier": order.carrier,
            "trackingNumber": order.trackingNumber,
            "notes": order.notes,
            "placedAt": AdminFormat.dateTime(order.placedAt),
            "paidAt": order.paidAt.map(AdminFormat.dateTime),
            "shippedAt": order.shippedAt.map(AdminFormat.dateTime),
            "deliveredAt": order.deliveredAt.map(AdminFormat.dateTime),
            "canceledAt": order.canceledAt.map(AdminFormat.dateTime),
            "abandonedAt": order.abandonedAt.map(AdminFormat.dateTime),
        ])
    }

    static func event(_ event: OrderEvent) -> TemplateValue {
        TemplateValue(fields: [
            "kind": label(event.kind),
            "kindName": event.kind.rawValue,
            "actor": event.actor.description,
            "message": event.message,
            "isInternal": event.isInternal,
            "time": AdminFormat.dateTime(event.createdAt),
            "isoTime": event.createdAt.formatted(.iso8601),
        ])
    }

    static func label(_ kind: OrderEvent.Kind) -> String {
        switch kind {
        case .placed: return "Placed"
        case .paid: return "Paid"
        case .shipped: return "Shipped"
        case .delivered: return "Delivered"
        case .canceled: return "Canceled"
        case .abandoned: return "Abandoned"
        case .note: return "Internal note"
        }
    }

    /// The mails sent about an order, for the order page.
    static func mail(_ message: OutboxMessage) -> TemplateValue {
        TemplateValue(fields: [
            "subject": message.mail.subject,
            "to": message.mail.toAddress,
            "status": AdminOutboxController.label(message.status),
            "statusTone": AdminOutboxController.tone(message.status),
            "time": AdminFormat.dateTime(message.createdAt),
        ])
    }
}

/// The actions the order page offers, from the transitions `OrderStore` allows.
struct AllowedOrderActions {
    let markPaid: Bool
    let ship: Bool
    let markDelivered: Bool
    let cancel: Bool

    init(_ order: Order) {
        markPaid = order.status == .pendingPayment
        ship = order.status.isOpen && order.fulfillment == .unfulfilled
        markDelivered = order.status.isOpen && order.fulfillment == .shipped
        cancel = order.status.isOpen && order.fulfillment == .unfulfilled
    }

    var templateValue: TemplateValue {
        TemplateValue(fields: [
            "markPaid": markPaid, "ship": ship, "markDelivered": markDelivered, "cancel": cancel,
            "any": markPaid || ship || markDelivered || cancel,
        ])
    }
}

extension AdminFormat {
    /// Formats a count with "," between groups of three digits: 12345 becomes "12,345".
    static func grouped(_ number: Int) -> String {
        number.formatted(IntegerFormatStyle<Int>(locale: Locale(identifier: "en_US")))
    }

    /// Formats an order count: "1 order", "2 orders", "1,200 orders".
    static func orders(_ count: Int) -> String {
        count == 1 ? "1 order" : "\(grouped(count)) orders"
    }

    /// Formats a count of orders placed in another currency than the store's current one:
    /// "1 order in another currency", "2 orders in other currencies", or empty for none,
    /// which templates read as false.
    static func ordersInOtherCurrencies(_ count: Int) -> String {
        switch count {
        case 0: return ""
        case 1: return "1 order in another currency"
        default: return "\(grouped(count)) orders in other currencies"
        }
    }
}
