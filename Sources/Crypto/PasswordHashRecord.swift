/// A stored password hash in its self-describing text form:
///
///     $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>
///     $pbkdf2-sha256$i=<iterations>$<salt>$<hash>
///
/// Salt and hash are unpadded base64url (RFC 4648, section 5). The layout follows the
/// PHC string format's `$id$parameters$salt$hash`, but the base64 alphabet differs, so
/// other PHC tools cannot read these strings as they are.
struct PasswordHashRecord: Equatable {
    typealias Algorithm = PasswordHasher.Policy.Algorithm

    /// The accepted salt lengths of a stored hash. New hashes use 16 bytes.
    static let saltByteCountRange = 8...64
    /// The accepted lengths of a stored derived hash. New hashes use 32 bytes.
    static let hashByteCountRange = 16...64
    /// Longer strings are rejected before any parsing. The longest valid string, with
    /// 64-byte salt and hash and the largest parameters, is under 200 characters.
    static let maximumEncodedLength = 512

    let algorithm: Algorithm
    let salt: [UInt8]
    let hash: [UInt8]

    init(algorithm: Algorithm, salt: [UInt8], hash: [UInt8]) {
        self.algorithm = algorithm
        self.salt = salt
        self.hash = hash
    }

    /// Parses the text form. Returns nil for anything malformed: an unknown algorithm,
    /// parameters missing, repeated, out of order, out of range or not plain decimal,
    /// or a salt or hash that is not canonical base64url of an accepted length.
    init?(parsing text: String) {
        guard text.utf8.count <= Self.maximumEncodedLength else {
            return nil
        }
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0].isEmpty else {
            return nil
        }

        let algorithm: Algorithm
        switch fields[1] {
        case "scrypt":
            guard let values = Self.parseParameters(fields[2], names: ["ln", "r", "p"]),
                  let parameters = try? ScryptParameters(logN: values[0], r: values[1], p: values[2])
            else { return nil }
            algorithm = .scrypt(parameters)
        case "pbkdf2-sha256":
            guard let values = Self.parseParameters(fields[2], names: ["i"]),
                  let parameters = try? PBKDF2Parameters(iterations: values[0])
            else { return nil }
            algorithm = .pbkdf2SHA256(parameters)
        default:
            return nil
        }

        guard let salt = Base64URL.decode(fields[3]), Self.saltByteCountRange.contains(salt.count),
              let hash = Base64URL.decode(fields[4]), Self.hashByteCountRange.contains(hash.count)
        else { return nil }

        self.algorithm = algorithm
        self.salt = salt
        self.hash = hash
    }

    /// The text form, which `init?(parsing:)` reads back to an equal record.
    var encoded: String {
        let prefix: String
        switch algorithm {
        case .scrypt(let parameters):
            prefix = "$scrypt$\(parameters)"
        case .pbkdf2SHA256(let parameters):
            prefix = "$pbkdf2-sha256$\(parameters)"
        }
        return "\(prefix)$\(Base64URL.encode(salt))$\(Base64URL.encode(hash))"
    }

    /// Parses `name=value` pairs separated by commas, in exactly the order of `names`.
    /// Values are decimal without sign or leading zeros, at most 9 digits, so parsing
    /// cannot overflow and each number has one spelling.
    private static func parseParameters(_ text: Substring, names: [String]) -> [Int]? {
        let pairs = text.split(separator: ",", omittingEmptySubsequences: false)
        guard pairs.count == names.count else {
            return nil
        }

        var values: [Int] = []
        for (pair, name) in zip(pairs, names) {
            guard let equals = pair.firstIndex(of: "="), pair[..<equals] == name else {
                return nil
            }
            let digits = pair.utf8[pair.utf8.index(after: equals)...]
            guard (1...9).contains(digits.count),
                  digits.first != UInt8(ascii: "0"),
                  digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
            else { return nil }
            values.append(digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) })
        }
        return values
    }
}
