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
            // TODO: checking the current password and hashing the new one run inside the store's
            // write lock, so they delay the store's other requests. Move them out as `StaffLogin` does.
            try context.database.write { database in
                let directory = StaffDirectory(database: database, passwordHasher: hasher, now: { now })
                guard try directory.authenticate(email: staff.email, password: current) != nil else {
                    errors.add("The current password is not correct.", for: "currentPassword")
                    throw errors
                }
                try errors.throwIfAny()
                try directory.setPassword(id: staff.id, password: new)
                _ = try SessionStore(database: database, now: { now }).destroyAll(staffID: staff.id, except: keptSession)
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
