import Commerce
import Foundation
import HTTPServer
import Templates

/// The checkout form's fields as the shopper typed them, kept as text so that a form shown
/// again after an error has exactly the typed values. Prices and quantities are not among
/// them: they come from the cart and the products on the server.
struct CheckoutForm {
    /// One address's fields, named `<prefix>_name`, `<prefix>_line1` … in the form.
    struct AddressFields {
        var name = ""
        var line1 = ""
        var line2 = ""
        var city = ""
        var postalCode = ""
        var region = ""
        var country = ""

        static let fieldNames = ["name", "line1", "line2", "city", "postal_code", "region", "country"]

        init() {}

        init(form: FormParameters, prefix: String) {
            name = form["\(prefix)_name"] ?? ""
            line1 = form["\(prefix)_line1"] ?? ""
            line2 = form["\(prefix)_line2"] ?? ""
            city = form["\(prefix)_city"] ?? ""
            postalCode = form["\(prefix)_postal_code"] ?? ""
            region = form["\(prefix)_region"] ?? ""
            country = (form["\(prefix)_country"] ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        }

        var address: Address {
            Address(name: name, line1: line1, line2: line2, city: city, postalCode: postalCode, region: region, country: country)
        }

        /// Returns the fields in form order, with their form names.
        func pairs(prefix: String) -> [(String, String)] {
            zip(Self.fieldNames, [name, line1, line2, city, postalCode, region, country]).map { ("\(prefix)_\($0)", $1) }
        }

        var templateValue: TemplateValue {
            [
                "name": .string(name), "line1": .string(line1), "line2": .string(line2), "city": .string(city),
                "postalCode": .string(postalCode), "region": .string(region), "country": .string(country),
            ]
        }
    }

    var email = ""
    var shipping = AddressFields()
    /// Whether the billing address is the shipping address: the checkbox, on by default.
    var billingSameAsShipping = true
    var billing = AddressFields()
    var shippingMethod = ""
    var paymentMethod = ""
    var notes = ""

    init() {}

    /// Reads the posted form. An unchecked checkbox is absent from a form post, so a form
    /// with no `billing_same` field bills to the separate address.
    init(form: FormParameters) {
        email = form["email"] ?? ""
        shipping = AddressFields(form: form, prefix: "shipping")
        billingSameAsShipping = form["billing_same"] == "1"
        billing = AddressFields(form: form, prefix: "billing")
        shippingMethod = form["shipping_method"] ?? ""
        paymentMethod = form["payment_method"] ?? ""
        notes = form["notes"] ?? ""
    }

    /// The details for `Checkout`. A method id that is not a number is nil, which
    /// checkout reports as "choose a shipping method".
    var details: CheckoutDetails {
        CheckoutDetails(
            email: email,
            shippingAddress: shipping.address,
            billingAddress: billingSameAsShipping ? nil : billing.address,
            shippingMethodID: Int64(shippingMethod.trimmingCharacters(in: .whitespaces)),
            paymentMethodID: Int64(paymentMethod.trimmingCharacters(in: .whitespaces)),
            notes: notes
        )
    }

    /// Every field as a name and value, for the hidden inputs of the review step, which
    /// posts the details again with the fingerprint.
    var hiddenFields: [(String, String)] {
        var fields: [(String, String)] = [("email", email)]
        fields += shipping.pairs(prefix: "shipping")
        if billingSameAsShipping {
            fields.append(("billing_same", "1"))
        } else {
            fields += billing.pairs(prefix: "billing")
        }
        fields += [("shipping_method", shippingMethod), ("payment_method", paymentMethod), ("notes", notes)]
        return fields
    }

    var templateValue: TemplateValue {
        [
            "email": .string(email),
            "shipping": shipping.templateValue,
            "billingSame": .bool(billingSameAsShipping),
            "billing": billing.templateValue,
            "shippingMethod": .string(shippingMethod),
            "paymentMethod": .string(paymentMethod),
            "notes": .string(notes),
        ]
    }
}
