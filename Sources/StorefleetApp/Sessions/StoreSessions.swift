import Commerce
import Crypto
import Foundation
import HTTPServer
import SQLite

/// Sessions and CSRF checks for one store request. Sessions live in the store's own file,
/// so a cookie from store A names nothing in store B.
extension StoreRequest {
    static let sessionCookieName = "storefleet_session"
    static let csrfFieldName = "csrf_token"
    /// A random value that names a visitor without a session. The page's form token is a
    /// MAC of it, so browsing the catalogue writes nothing to the store's file.
    static let formCookieName = "storefleet_form"

    /// Loads the session named by the cookie, once per request.
    func loadSession() throws {
        guard session == nil, let token = request.cookies[Self.sessionCookieName], !token.isEmpty else { return }
        let now = app.clock.now()
        let passwordHasher = app.passwordHasher
        let staffMember = { (session: Session, database: Database) throws -> StaffMember? in
            try session.staffID.flatMap { id in
                try StaffDirectory(database: database, passwordHasher: passwordHasher, now: { now }).find(id: id)
            }
        }

        // Most requests need only a read, which waits for no write lock. `find` writes to
        // delete an expired row or to refresh a last-seen time older than a minute.
        let lookup = try database.read { database -> VisitLookup<(Session, StaffMember?)> in
            switch try SessionStore(database: database, now: { now }).findWithoutWriting(token: token) {
            case .found(let session): return .found((session, try staffMember(session, database)))
            case .notFound: return .notFound
            case .needsWrite: return .needsWrite
            }
        }
        let found: (Session, StaffMember?)?
        switch lookup {
        case .found(let value):
            found = value
        case .notFound:
            found = nil
        case .needsWrite:
            found = try database.write { database -> (Session, StaffMember?)? in
                guard let session = try SessionStore(database: database, now: { now }).find(token: token) else { return nil }
                return (session, try staffMember(session, database))
            }
        }
        guard let found else {
            sessionWasInvalid = true
            return
        }
        session = found.0
        sessionToken = token
        staff = found.1
    }

    /// Returns the visitor's session, starting an anonymous one (and its cookie) when there
    /// is none, so that a form such as the login form has a CSRF token to carry.
    @discardableResult
    func ensureSession() throws -> Session {
        try loadSession()
        if let session { return session }
        return try startSession(staffID: nil)
    }

    /// Returns the CSRF token for the storefront page's forms: the session's, or for a
    /// visitor without one, a token tied to a random cookie and to this store. The session
    /// is then created by the first form the visitor sends, not by every page view.
    func formToken() throws -> String {
        try loadSession()
        if let session { return session.csrfToken }
        if let visitor = request.cookies[Self.formCookieName], Self.isFormCookieValue(visitor) {
            return anonymousFormToken(for: visitor)
        }
        let visitor = SecureRandom.token(byteCount: 16)
        outgoingCookies.append(try storeCookie(Self.formCookieName, value: visitor, maxAge: Int(CartStore.defaultLifetime)))
        return anonymousFormToken(for: visitor)
    }

    private func anonymousFormToken(for visitor: String) -> String {
        Base64URL.encode(HMAC.sha256(key: app.formKey, message: "storefront-form:\(store.id):\(visitor)"))
    }

    /// Returns whether a cookie value has the shape `formToken()` gives it: 16 random bytes
    /// as 22 base64url characters.
    private static func isFormCookieValue(_ value: String) -> Bool {
        value.utf8.count == 22 && Base64URL.decode(value)?.count == 16
    }

    /// Starts a new session, replacing the visitor's current one. Called on login so a
    /// session id planted before login is never the one that gets signed in.
    @discardableResult
    func startSession(staffID: Int64?) throws -> Session {
        let created = try database.write { database in try createSession(staffID: staffID, in: database) }
        try adoptSession(created)
        return created.session
    }

    /// A session written to the store's file but not yet this request's.
    struct NewSession {
        let session: Session
        let token: String
    }

    /// Writes a new session in the caller's transaction and destroys the visitor's current
    /// one. Pass the result to `adoptSession` once the transaction has committed.
    func createSession(staffID: Int64?, in database: Database) throws -> NewSession {
        let now = app.clock.now()
        let sessions = SessionStore(database: database, now: { now })
        if let sessionToken { try sessions.destroy(token: sessionToken) }
        let created = try sessions.create(staffID: staffID)
        return NewSession(session: created.session, token: created.token)
    }

    /// Makes `created` this request's session and sets its cookie.
    func adoptSession(_ created: NewSession) throws {
        session = created.session
        sessionToken = created.token
        outgoingCookies.append(try storeCookie(Self.sessionCookieName, value: created.token, maxAge: Int(SessionStore.defaultAbsoluteTimeout)))
    }

    /// Ends the visitor's session and clears its cookie.
    func endSession() throws {
        if let sessionToken {
            let now = app.clock.now()
            try database.write { database in
                try SessionStore(database: database, now: { now }).destroy(token: sessionToken)
            }
        }
        session = nil
        sessionToken = nil
        staff = nil
        outgoingCookies.append(try storeCookie(Self.sessionCookieName, value: "", maxAge: 0))
    }

    /// Returns a cookie for this store's host only: `HttpOnly`, `SameSite=Lax`, and
    /// `Secure` when the public URL is https. The session, cart and visitor cookies all use it.
    func storeCookie(_ name: String, value: String, maxAge: Int) throws -> Cookie {
        try Cookie(
            name: name,
            value: value,
            maxAge: maxAge,
            path: "/",
            secure: app.configuration.usesSecureCookies,
            httpOnly: true,
            sameSite: .lax
        )
    }

    /// Decodes the form body and checks its CSRF token against the session's. Every unsafe
    /// request to a store passes through here before its handler runs.
    ///
    /// - Throws: `HTTPError` 403 when the session is missing or the token does not match,
    ///   with a message that tells the visitor to reload the form.
    func verifyCSRF() throws {
        let contentType = request.headers["Content-Type"] ?? ""
        if contentType.lowercased().hasPrefix("multipart/form-data") {
            let multipart = try request.multipartForm()
            form = multipart.fields
            files = multipart.files
        } else if !request.body.isEmpty {
            form = try request.urlEncodedForm()
        }

        try loadSession()
        let submitted = form[Self.csrfFieldName] ?? request.headers["X-CSRF-Token"]
        let isAdmin = request.path == "/admin" || request.path.hasPrefix("/admin/")
        let matchesSession = session.map { session in
            submitted.map { !$0.isEmpty && constantTimeEquals($0, session.csrfToken) } ?? false
        } ?? false
        // Tokens of visitors without a session serve the storefront's forms only: the admin's
        // forms come from pages that start a session.
        var matchesVisitor = false
        if !matchesSession, !isAdmin, let submitted, !submitted.isEmpty,
           let visitor = request.cookies[Self.formCookieName], Self.isFormCookieValue(visitor) {
            matchesVisitor = constantTimeEquals(submitted, anonymousFormToken(for: visitor))
        }
        guard matchesSession || matchesVisitor else {
            app.logger.warning("csrf.rejected", [
                "request_id": request.requestID, "store_id": store.id, "path": request.path,
                "has_session": session != nil, "has_token": submitted != nil,
            ])
            // Shoppers read the message in the store's language; the admin stays English.
            throw HTTPError(
                .forbidden,
                isAdmin
                    ? "This form has expired or was sent from another site, so nothing was changed. Go back, reload the page and try again."
                    : text("error.formExpired.message")
            )
        }
    }

    /// Requires a signed-in staff member; otherwise redirects to the login page, saying the
    /// session expired when the visitor had one.
    func requireStaff() throws -> StaffMember {
        try loadSession()
        if let staff { return staff }
        var location = "/admin/login?next=" + PercentEncoding.encode(pathWithQuery)
        if sessionWasInvalid {
            location += "&expired=1"
        }
        throw Redirect(location)
    }
}

/// Thrown by a check that sends the visitor elsewhere, such as the login page.
struct Redirect: Error {
    let location: String

    init(_ location: String) {
        self.location = location
    }
}
