/// Limits applied while decoding an `application/x-www-form-urlencoded` body.
///
/// The body size itself is bounded by the server's request body limit. These limits bound the
/// work and memory spent on many tiny fields, which a small body can still contain.
public struct FormLimits: Sendable, Hashable {
    /// Maximum number of `name=value` fields. More fields are rejected with 413.
    public var maxFields: Int

    public init(maxFields: Int = 1_000) {
        precondition(maxFields > 0, "FormLimits.maxFields must be positive, got \(maxFields)")
        self.maxFields = maxFields
    }

    public static let `default` = FormLimits()
}

extension Request {
    /// Decodes the body as an HTML form sent with `application/x-www-form-urlencoded`.
    ///
    /// - Throws: `HTTPError` with one of these statuses:
    ///   - 415 when `Content-Type` is missing, another type, or has a charset other than UTF-8.
    ///   - 400 when the header is malformed, the body is not UTF-8, or a field has a malformed
    ///     percent-escape.
    ///   - 413 when the body has more than `limits.maxFields` fields.
    public func urlEncodedForm(limits: FormLimits = .default) throws -> FormParameters {
        let expected = "application/x-www-form-urlencoded"
        guard let header = headers["Content-Type"] else {
            throw HTTPError(
                .unsupportedMediaType,
                "The request has no Content-Type header. Send the form with Content-Type: \(expected).")
        }
        guard let mediaType = MediaType(parsing: header) else {
            throw HTTPError(
                .badRequest,
                "The Content-Type header \(quotedForMessage(header)) is malformed. "
                    + "Send Content-Type: \(expected).")
        }
        guard mediaType.hasEssence(expected) else {
            throw HTTPError(
                .unsupportedMediaType,
                "The body has Content-Type \(mediaType.essence), but this endpoint expects \(expected).")
        }
        // The WHATWG URL standard defines this format as UTF-8 only, so any other declared
        // charset would make the decoded text wrong rather than merely unusual.
        if let charset = mediaType.parameter("charset"), !isUTF8CharsetName(charset) {
            throw HTTPError(
                .unsupportedMediaType,
                "The form is declared as charset \(quotedForMessage(charset)). Only UTF-8 is supported, "
                    + "so re-encode the form as UTF-8 and send charset=utf-8 or no charset.")
        }

        let fieldCount = countFormFields(in: body)
        guard fieldCount <= limits.maxFields else {
            throw HTTPError(
                .contentTooLarge,
                "The form has \(fieldCount) fields, more than the limit of \(limits.maxFields). "
                    + "Send fewer fields.")
        }

        guard let text = String(validating: body, as: UTF8.self) else {
            throw HTTPError(
                .badRequest,
                "The form body is not valid UTF-8. Percent-encode every byte outside ASCII.")
        }
        if let parameters = PercentEncoding.decodeForm(Substring(text)) {
            return parameters
        }
        throw malformedFieldError(in: text)
    }
}

/// Counts the non-empty `&`-separated pieces, the way `PercentEncoding.decodeForm` splits them,
/// without building any strings.
private func countFormFields(in body: [UInt8]) -> Int {
    var count = 0
    var pieceIsEmpty = true
    for byte in body {
        if byte == UInt8(ascii: "&") {
            if !pieceIsEmpty { count += 1 }
            pieceIsEmpty = true
        } else {
            pieceIsEmpty = false
        }
    }
    if !pieceIsEmpty { count += 1 }
    return count
}

/// Finds the first field that fails to decode, so the error can name it.
private func malformedFieldError(in text: String) -> HTTPError {
    let pieces = text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true)
    for (index, piece) in pieces.enumerated() {
        let equals = piece.firstIndex(of: UInt8(ascii: "=")) ?? piece.endIndex
        let name = Substring(piece[..<equals])
        let value = equals == piece.endIndex ? "" : Substring(piece[piece.index(after: equals)...])
        let nameIsValid = PercentEncoding.decode(name, plusAsSpace: true) != nil
        let valueIsValid = PercentEncoding.decode(value, plusAsSpace: true) != nil
        if nameIsValid && valueIsValid { continue }

        let part = nameIsValid ? "value of field" : "name of field"
        return HTTPError(
            .badRequest,
            "The \(part) \(index + 1) (\(quotedForMessage(String(Substring(piece))))) has a malformed percent-escape "
                + "or does not decode to UTF-8. Encode a literal % as %25.")
    }
    return HTTPError(.badRequest, "The form body could not be decoded. Encode a literal % as %25.")
}

/// Accepts the names that mean UTF-8: `utf-8` in any case, and the common alias `utf8`.
func isUTF8CharsetName(_ charset: String) -> Bool {
    charset.equalsIgnoringASCIICase("utf-8") || charset.equalsIgnoringASCIICase("utf8")
}

/// Quotes a client-supplied value for an error message, cut to 60 characters so that a huge
/// header or field does not become a huge message.
func quotedForMessage(_ value: String) -> String {
    let limit = 60
    if value.count <= limit { return "\"\(value)\"" }
    return "\"\(value.prefix(limit))…\""
}
