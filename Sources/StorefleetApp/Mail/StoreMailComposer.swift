import Commerce
import Foundation
import Templates
import Tenancy

extension MailKind {
    /// To the shopper who asked for the link to their order on the lookup form.
    static let orderLink = MailKind(rawValue: "order_link")
    static let staffInvitation = MailKind(rawValue: "staff_invitation")
}

/// Builds one store's mails from the templates in `Views/emails/`: an HTML part from
/// `emails/<name>` and a plain-text part from `emails/<name>-text`, both in the store's
/// language. Composing only renders templates, so it is safe inside a transaction: it
/// reads no file except templates changed in development mode, and writes nothing.
///
/// The sender decides the envelope when it delivers (see `StoreMailSender`), so a mail
/// here carries only its recipient, subject and bodies.
struct StoreMailComposer {
    let templates: TemplateLibrary
    let translations: Translations
    let settings: StoreSettings
    let store: StoreRecord
    let configuration: AppConfiguration
    /// The store's address for shoppers: its primary custom domain, or its platform
    /// subdomain when it has none (`Application.shopperHost(of:)`).
    let shopperHost: String

    init(app: Application, store: StoreRecord, settings: StoreSettings) {
        templates = app.renderer.templates
        translations = app.renderer.translations
        self.settings = settings
        self.store = store
        configuration = app.configuration
        shopperHost = app.shopperHost(of: store)
    }

    init(_ context: StoreRequest) {
        self.init(app: context.app, store: context.store, settings: context.settings)
    }

    var storeName: String { settings.storeName.isEmpty ? store.name : settings.storeName }

    // MARK: - Mails to the shopper

    /// The shopper's confirmation of a placed order, with the payment instructions and the
    /// link to the order's status page.
    func orderConfirmation(_ order: Order) throws -> OutgoingMail {
        try shopperMail(.orderConfirmation, template: "order-confirmation", subjectKey: "mail.confirmation.subject", order: order)
    }

    func paymentReceived(_ order: Order) throws -> OutgoingMail {
        try shopperMail(.paymentReceived, template: "payment-received", subjectKey: "mail.paid.subject", order: order)
    }

    func shipped(_ order: Order) throws -> OutgoingMail {
        try shopperMail(.orderShipped, template: "shipped", subjectKey: "mail.shipped.subject", order: order)
    }

    func canceled(_ order: Order) throws -> OutgoingMail {
        try shopperMail(.orderCanceled, template: "canceled", subjectKey: "mail.canceled.subject", order: order)
    }

    /// The link to an order's status page, sent from the lookup form to the address the
    /// order was placed with, never to the address typed into the form.
    func orderLink(_ order: Order) throws -> OutgoingMail {
        try shopperMail(.orderLink, template: "order-link", subjectKey: "mail.orderLink.subject", order: order)
    }

    // MARK: - Mails to the merchant

    /// The merchant's notice of a new order, sent to the store's contact address. Admin
    /// text is English whatever the store's language. Returns nil when the store has no
    /// contact address, which the settings form requires, so only a damaged file lacks it.
    func newOrderNotice(_ order: Order) throws -> OutgoingMail? {
        let contact = settings.contactEmail.trimmingCharacters(in: .whitespaces)
        guard !contact.isEmpty else { return nil }
        let bodies = try render("new-order", order: order, language: Translations.fallbackLanguage)
        return OutgoingMail(
            toAddress: contact,
            toName: storeName,
            subject: "New order #\(order.number) for \(Money(minorUnits: order.total, currency: currency(of: order)).formatted())",
            textBody: bodies.text,
            htmlBody: bodies.html,
            kind: .newOrderNotification,
            relatedOrderID: order.id
        )
    }

    /// Returns the mail with the link that lets an invited staff member choose a password.
    /// Admin mail, so it is in English whatever the storefront's language.
    func staffInvitation(email: String, name: String, invitedBy: String, url: String, expiresAt: Date) throws -> OutgoingMail {
        let context: TemplateValue = [
            "store": ["name": .string(storeName)],
            "invitation": [
                "name": .string(name.isEmpty ? email : name),
                "invitedBy": .string(invitedBy),
                "url": .string(url),
                "expires": .string(AdminFormat.dateTime(expiresAt)),
            ],
        ]
        let translator = translations.translator(for: Translations.fallbackLanguage)
        return OutgoingMail(
            toAddress: email,
            toName: name,
            subject: "Join \(storeName) on Storefleet",
            textBody: try templates.renderPlainText("emails/staff-invitation-text", context, translator: translator),
            htmlBody: try templates.render("emails/staff-invitation", context, translator: translator),
            kind: .staffInvitation
        )
    }

    // MARK: - Shared steps

    private func shopperMail(_ kind: MailKind, template: String, subjectKey: String, order: Order) throws -> OutgoingMail {
        // The language the shopper ordered in, when the store still offers it.
        let language = order.language.flatMap { translations.languages.contains($0) ? $0 : nil } ?? settings.language
        let bodies = try render(template, order: order, language: language)
        let subject = translations.text(subjectKey, language: language, arguments: ["number": .int(Int(order.number))])
        return OutgoingMail(
            toAddress: order.email,
            toName: order.shippingAddress.name,
            subject: subject,
            textBody: bodies.text,
            htmlBody: bodies.html,
            kind: kind,
            relatedOrderID: order.id
        )
    }

    private func render(_ template: String, order: Order, language: String) throws -> (html: String, text: String) {
        var storeValue: [String: TemplateValue] = [
            "name": .string(storeName),
            "contactEmail": .string(settings.contactEmail),
            "language": .string(language),
        ]
        storeValue["url"] = .string(configuration.url(forHost: shopperHost))
        let context: TemplateValue = ["store": .dictionary(storeValue), "order": orderValue(order, language: language)]
        let translator = translations.translator(for: language)
        let html = try templates.render("emails/\(template)", context, translator: translator)
        let text = try templates.renderPlainText("emails/\(template)-text", context, translator: translator)
        return (html, text)
    }

    /// The order as the mail templates read it: amounts formatted in the order's currency,
    /// the shipping address as a list of lines, and the links to its status page and to
    /// the admin's order page.
    func orderValue(_ order: Order, language: String) -> TemplateValue {
        let currency = currency(of: order)
        func money(_ minorUnits: Int64) -> TemplateValue {
            .string(Money(minorUnits: minorUnits, currency: currency).formatted())
        }
        let lines: [TemplateValue] = order.lines.map { line in
            [
                "title": .string(line.title),
                "sku": .string(line.sku ?? ""),
                "quantity": .int(line.quantity),
                "unitPrice": money(line.unitPrice),
                "lineTotal": money(line.lineTotal),
            ]
        }
        return [
            "number": .int(Int(order.number)),
            "lines": .array(lines),
            "subtotal": money(order.subtotal),
            "shipping": money(order.shippingPrice),
            "shippingIsFree": .bool(order.shippingPrice == 0),
            "total": money(order.total),
            "shippingMethod": .string(order.shippingMethodName),
            "paymentMethod": .string(order.paymentMethodName),
            "paymentInstructions": .string(order.status == .pendingPayment ? order.paymentInstructions : ""),
            "shippingAddress": order.shippingAddress.linesValue(language: language),
            "statusURL": .string(statusURL(for: order)),
            "adminURL": .string(configuration.storeURL(slug: store.slug, path: "/admin/orders/\(order.id)")),
            "customerName": .string(order.shippingAddress.name),
            "email": .string(order.email),
            "notes": .string(order.notes),
            "carrier": .string(order.carrier ?? ""),
            "trackingNumber": .string(order.trackingNumber ?? ""),
        ]
    }

    /// The absolute link to the order's status page, which carries the order's secret
    /// access token.
    func statusURL(for order: Order) -> String {
        configuration.url(forHost: shopperHost, path: Self.statusPath(for: order))
    }

    /// The path of the order's status page: `/orders/<number>?token=<access token>`. The
    /// token is URL-safe base64, so it needs no percent-encoding.
    static func statusPath(for order: Order) -> String {
        "/orders/\(order.number)?token=\(order.accessToken)"
    }

    private func currency(of order: Order) -> Currency {
        order.currency ?? settings.currency ?? .usd
    }
}
