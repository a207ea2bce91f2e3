import Commerce
import Foundation
import HTTPServer
import Templates

/// Staff login and logout, and accepting a staff invitation.
enum AdminAuthController {
    static func register(_ router: inout Router<StoreRequest>) {
        router.get("/admin/login") { context, _ in try showLogin(context) }
        router.post("/admin/login") { context, _ in try login(context) }
        router.post("/admin/logout") { context, _ in
            try context.endSession()
            return .redirect(to: "/admin/login?logged_out=1")
        }
        router.get("/admin/invitations/:token") { context, parameters in
            try showInvitation(context, token: parameters["token"] ?? "", errors: ValidationErrors())
        }
        router.post("/admin/invitations/:token") { context, parameters in
            try acceptInvitation(context, token: parameters["token"] ?? "")
        }
    }

    /// Only a local path may be a `next` target, so the login form cannot send anyone to
    /// another site. Control characters are rejected too: a line break in the `Location`
    /// header would make the server drop the response as invalid and send a 500.
    static func safeNextPath(_ next: String?) -> String {
        guard let next, next.hasPrefix("/admin"), !next.hasPrefix("//"), !next.contains("\\"),
              !next.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        else { return "/admin" }
        return next
    }

    private static func showLogin(
        _ context: StoreRequest,
        email: String = "",
        alert: String? = nil,
        status: HTTPStatus = .ok
    ) throws -> Response {
        try context.loadSession()
        if context.staff != nil, alert == nil {
            return .redirect(to: safeNextPath(context.request.query["next"]))
        }
        try context.ensureSession()
        let query = context.request.query
        var notice: String?
        if query["expired"] != nil {
            notice = "Your session has expired. Please log in again."
        } else if query["logged_out"] != nil {
            notice = "You have logged out."
        } else if query["joined"] != nil {
            notice = "Your account is ready. Log in with your email and new password."
        }
        return try context.render("admin/login", [
            "email": .string(email),
            "next": .string(safeNextPath(context.form["next"] ?? query["next"])),
            "notice": notice.map(TemplateValue.string) ?? .null,
            "alert": alert.map(TemplateValue.string) ?? .null,
        ], status: status)
    }

    private static func login(_ context: StoreRequest) throws -> Response {
        let email = (context.form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let password = context.form["password"] ?? ""
        let address = context.clientAddress
        let now = context.app.clock.now()
        let hasher = context.app.passwordHasher

        guard !email.isEmpty, !password.isEmpty else {
            return try showLogin(context, email: email, alert: "Enter your email and password.", status: .unprocessableContent)
        }

        // Three steps, so that the password check (scrypt, over 100 ms) holds no lock of the
        // store's file and every other request of the store goes on meanwhile. The first
        // step counts the attempt before the check, which keeps the throttle exact however
        // many logins verify at once.
        let start = try context.database.write { database in
            try StaffLogin.begin(email: email, address: address, throttle: LoginThrottle(database: database, now: { now }), in: database)
        }
        enum Outcome {
            case locked(Int)
            case failed
            case success(StaffMember)
        }
        let outcome: Outcome
        switch start {
        case .locked(let seconds):
            outcome = .locked(seconds)
        case .verify(let login):
            let verified = login.verify(password: password, hasher: hasher)
            let finished = try context.database.write { database -> (StaffMember, StoreRequest.NewSession)? in
                let finishTime = context.app.clock.now()
                let throttle = LoginThrottle(database: database, now: { finishTime })
                guard let member = try verified.finish(throttle: throttle, at: finishTime, in: database) else { return nil }
                return (member, try context.createSession(staffID: member.id, in: database))
            }
            if let (member, session) = finished {
                try context.adoptSession(session)
                outcome = .success(member)
            } else {
                outcome = .failed
            }
        }

        switch outcome {
        case .locked(let seconds):
            context.app.logger.warning("admin.login_locked", ["request_id": context.request.requestID, "store_id": context.store.id, "remote": address])
            let minutes = max(1, (seconds + 59) / 60)
            var response = try showLogin(
                context, email: email,
                alert: "Too many failed logins. For your account's safety, try again in \(minutes) \(minutes == 1 ? "minute" : "minutes").",
                status: .tooManyRequests
            )
            response.headers.set("Retry-After", String(seconds))
            return response
        case .failed:
            context.app.logger.info("admin.login_failed", ["request_id": context.request.requestID, "store_id": context.store.id, "remote": address])
            return try showLogin(context, email: email, alert: "The email or password is not correct.", status: .unprocessableContent)
        case .success(let member):
            context.staff = member
            context.app.logger.info("admin.login", ["request_id": context.request.requestID, "store_id": context.store.id, "staff_id": member.id])
            return .redirect(to: safeNextPath(context.form["next"]))
        }
    }

    private static func showInvitation(_ context: StoreRequest, token: String, errors: ValidationErrors, status: HTTPStatus = .ok) throws -> Response {
        try context.ensureSession()
        let now = context.app.clock.now()
        let invitation = try? context.database.read { database in
            try StaffDirectory(database: database, now: { now }).invitation(forToken: token)
        }
        return try context.render("admin/accept-invitation", [
            "invalid": .bool(invitation == nil),
            "email": .string(invitation?.email ?? ""),
            "token": .string(token),
            "errors": errors.templateValue,
        ], status: invitation == nil ? .notFound : status)
    }

    private static func acceptInvitation(_ context: StoreRequest, token: String) throws -> Response {
        let password = context.form["password"] ?? ""
        let now = context.app.clock.now()
        let hasher = context.app.passwordHasher
        do {
            _ = try context.database.write { database in
                try StaffDirectory(database: database, passwordHasher: hasher, now: { now }).acceptInvitation(token: token, password: password)
            }
        } catch let errors as ValidationErrors {
            return try showInvitation(context, token: token, errors: errors, status: .unprocessableContent)
        } catch let error as CommerceError {
            switch error {
            case .invitationNotFound, .invitationExpired:
                return try showInvitation(context, token: token, errors: ValidationErrors(), status: .notFound)
            default:
                throw error
            }
        }
        return .redirect(to: "/admin/login?joined=1")
    }
}
