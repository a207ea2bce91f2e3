import Commerce
import HTTPServer
import Templates

/// Staff members: the owner adds staff directly or by invitation, up to the plan's limit,
/// and removes them.
enum AdminStaffController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/staff") { context, _ in
            let staff = try AdminRoutes.requireActiveStaff(context)
            var notice: String?
            if context.request.query["added"] != nil { notice = "Staff member added. They can log in now." }
            if context.request.query["removed"] != nil { notice = "Staff member removed." }
            if context.request.query["revoked"] != nil { notice = "Invitation revoked." }
            return try show(context, staff: staff, form: [:], errors: ValidationErrors(), notice: notice)
        }
        router.post("/admin/staff") { context, _ in try add(context) }
        router.post("/admin/staff/:id/remove") { context, parameters in
            let staff = try requireOwner(context)
            let id = try parameters.id("id")
            do {
                try context.database.write { database in try StaffDirectory(database: database).remove(id: id) }
            } catch CommerceError.ownerCannotBeRemoved {
                throw HTTPError(.conflict, "The store owner cannot be removed.")
            }
            context.app.logger.info("staff.removed", ["request_id": context.request.requestID, "store_id": context.store.id, "staff_id": id, "by": staff.id])
            return .redirect(to: "/admin/staff?removed=1")
        }
        router.post("/admin/staff/invitations/:id/revoke") { context, parameters in
            _ = try requireOwner(context)
            let id = try parameters.id("id")
            try context.database.write { database in try StaffDirectory(database: database).revokeInvitation(id: id) }
            return .redirect(to: "/admin/staff?revoked=1")
        }
    }

    private static func requireOwner(_ context: StoreRequest) throws -> StaffMember {
        try AdminRoutes.requireOwner(context, toChange: "the staff members")
    }

    private static func show(
        _ context: StoreRequest,
        staff: StaffMember,
        form: [String: TemplateValue],
        errors: ValidationErrors,
        notice: String? = nil,
        invitationURL: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        let now = context.app.clock.now()
        let (members, invitations) = try context.database.read { database in
            let directory = StaffDirectory(database: database, now: { now })
            return (try directory.list(), try directory.pendingInvitations())
        }
        let limit = context.store.plan.limits.staffAccounts
        let used = members.count + invitations.count
        let isOwner = staff.role == .owner
        return try context.render("admin/staff/index", [
            "nav": ["staff": true],
            "notice": notice.map(TemplateValue.string) ?? .null,
            "members": .array(members.map { member in
                [
                    "id": .int(Int(member.id)), "name": .string(member.name), "email": .string(member.email),
                    "isOwner": .bool(member.role == .owner), "lastLogin": .string(AdminFormat.dateTime(member.lastLoginAt)),
                    "removable": .bool(isOwner && member.role != .owner),
                ]
            }),
            "invitations": .array(invitations.map { invitation in
                [
                    "id": .int(Int(invitation.id)), "name": .string(invitation.name), "email": .string(invitation.email),
                    "expires": .string(AdminFormat.date(invitation.expiresAt)),
                ]
            }),
            "used": .int(used),
            "limit": .string(limit.description),
            "atLimit": .bool(!limit.allowsAdding(to: used)),
            "planName": .string(context.store.plan.displayName),
            "canManage": .bool(isOwner),
            "form": .dictionary(form),
            "errors": errors.templateValue,
            "invitationURL": invitationURL.map(TemplateValue.string) ?? .null,
        ], status: status)
    }

    private static func add(_ context: StoreRequest) throws -> Response {
        let staff = try requireOwner(context)
        let email = (context.form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let name = (context.form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = context.form["password"] ?? ""
        let limit = AdminRoutes.plainLimit(context.store.plan.limits.staffAccounts)
        let hasher = context.app.passwordHasher
        let now = context.app.clock.now()
        let form: [String: TemplateValue] = ["email": .string(email), "name": .string(name)]

        do {
            if password.isEmpty {
                let composer = StoreMailComposer(context)
                let invitedBy = staff.name.isEmpty ? staff.email : "\(staff.name) (\(staff.email))"
                // The mail is queued in the invitation's transaction, so neither exists without
                // the other.
                let (invitation, url) = try context.database.write { database in
                    let (token, invitation) = try StaffDirectory(database: database, passwordHasher: hasher, now: { now })
                        .invite(email: email, name: name, limit: limit)
                    let url = context.app.configuration.storeURL(slug: context.store.slug, path: "/admin/invitations/" + token)
                    let mail = try composer.staffInvitation(
                        email: invitation.email, name: invitation.name, invitedBy: invitedBy, url: url, expiresAt: invitation.expiresAt
                    )
                    try Outbox(database: database, now: { now }).enqueue(mail)
                    return (invitation, url)
                }
                context.noteQueuedMail()
                context.app.logger.info("staff.invited", ["request_id": context.request.requestID, "store_id": context.store.id, "by": staff.id])
                // Only the token's hash is stored, so this page is the one time the link is shown.
                // The view puts it in a card of its own, which stays when this invitation takes
                // the plan's last place and the add form is hidden.
                return try show(
                    context, staff: staff, form: [:], errors: ValidationErrors(),
                    notice: "Invitation mailed to \(invitation.email). The link is also below, in case the mail does not arrive.", invitationURL: url
                )
            }
            let member = try context.database.write { database in
                try StaffDirectory(database: database, passwordHasher: hasher, now: { now }).add(email: email, name: name, password: password, role: .staff, limit: limit)
            }
            context.app.logger.info("staff.added", ["request_id": context.request.requestID, "store_id": context.store.id, "staff_id": member.id, "by": staff.id])
            return .redirect(to: "/admin/staff?added=1")
        } catch let errors as ValidationErrors {
            return try show(context, staff: staff, form: form, errors: errors, status: .unprocessableContent)
        } catch CommerceError.staffLimitReached(let limit) {
            var errors = ValidationErrors()
            errors.add("Your \(context.store.plan.displayName) plan allows \(limit) staff accounts, the owner included. Remove a member or upgrade the plan to add more.", for: "email")
            return try show(context, staff: staff, form: form, errors: errors, status: .unprocessableContent)
        }
    }
}
