import Commerce
import HTTPServer
import Templates

/// The signed-in staff member's own account: changing their password.
enum AdminAccountController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/account") { context, _ in
            let staff = try context.requireStaff()
            let changed = context.request.query["changed"] != nil
            return try show(context, staff: staff, errors: ValidationErrors(), notice: changed ? "Your password has been changed. Your other sessions were signed out." : nil)
        }
        router.post("/admin/account/password") { context, _ in try changePassword(context) }
    }

    private static func show(_ context: StoreRequest, staff: StaffMember, errors: ValidationErrors, notice: String? = nil, status: HTTPStatus = .ok) throws -> Response {
        try context.render("admin/account", [
            "nav": ["account": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "member": ["name": .string(staff.name), "email": .string(staff.email), "role": .string(staff.role.rawValue.capitalized)],
            "errors": errors.templateValue,
        ], status: status)
    }

    private static func changePassword(_ context: StoreRequest) throws -> Response {
        let staff = try context.requireStaff()
        let current = context.form["current_password"] ?? ""
        let new = context.form["new_password"] ?? ""
        let confirmation = context.form["confirm_password"] ?? ""
        let hasher = context.app.passwordHasher
        let now = context.app.clock.now()
        let keptSession = context.session?.id

        var errors = ValidationErrors()
        if new != confirmation {
            errors.add("The two new passwords do not match; type the same password in both fields.", for: "confirmPassword")
        }
        do {
            // The hashes are checked and made outside the store's lock, because each takes a
            // tenth of a second, and stored only if the old hash is still the one checked.
            let storedHash = try context.database.read { database in
                try StaffDirectory(database: database, passwordHasher: hasher, now: { now }).passwordHash(id: staff.id)
            }
            guard let storedHash, hasher.verify(current, against: storedHash).isValid else {
                errors.add("The current password is not correct.", for: "currentPassword")
                throw errors
            }
            PasswordRules.validate(new, email: staff.email).forEach { errors.add($0, for: "newPassword") }
            try errors.throwIfAny()
            let newHash = try hasher.hash(new)
            let replaced = try context.database.write { database in
                guard try StaffDirectory(database: database, passwordHasher: hasher, now: { now })
                    .replacePasswordHash(id: staff.id, previousHash: storedHash, with: newHash) else { return false }
                _ = try SessionStore(database: database, now: { now }).destroyAll(staffID: staff.id, except: keptSession)
                return true
            }
            guard replaced else {
                errors.add("Your password was changed elsewhere while this form was sent; nothing was changed. Type the current password again.", for: "currentPassword")
                throw errors
            }
        } catch let validation as ValidationErrors {
            var shown = validation
            if shown["password"].isEmpty == false {
                var renamed = ValidationErrors()
                for (field, message) in shown.all {
                    renamed.add(message, for: field == "password" ? "newPassword" : field)
                }
                shown = renamed
            }
            return try show(context, staff: staff, errors: shown, status: .unprocessableContent)
        }
        context.app.logger.info("staff.password_changed", ["request_id": context.request.requestID, "store_id": context.store.id, "staff_id": staff.id])
        return .redirect(to: "/admin/account?changed=1")
    }
}
