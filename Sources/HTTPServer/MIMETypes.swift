/// The `Content-Type` of a file, chosen by its name's extension.
///
/// Text types carry `charset=utf-8`, so files in `Public/` must be UTF-8. JSON and XML-based
/// types carry none: JSON is UTF-8 by definition (RFC 8259, section 8.1), and an XML file
/// declares its own encoding, which a charset parameter would override (RFC 7303, section 3).
public enum MIMETypes {
    /// The type for an unknown or missing extension, which browsers download instead of render.
    public static let defaultType = "application/octet-stream"

    private static let typesByExtension: [String: String] = [
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "css": "text/css; charset=utf-8",
        // RFC 9239 makes text/javascript the type for JavaScript, modules included.
        "js": "text/javascript; charset=utf-8",
        "mjs": "text/javascript; charset=utf-8",
        "txt": "text/plain; charset=utf-8",
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        // Source maps are JSON.
        "map": "application/json",
        "webmanifest": "application/manifest+json",
        "xml": "application/xml",
        "svg": "image/svg+xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "webp": "image/webp",
        "avif": "image/avif",
        "ico": "image/vnd.microsoft.icon",
        "woff": "font/woff",
        "woff2": "font/woff2",
        "ttf": "font/ttf",
        "otf": "font/otf",
        "pdf": "application/pdf",
        "wasm": "application/wasm",
        "mp4": "video/mp4",
        "webm": "video/webm",
    ]

    /// Returns the type for an extension given without the dot, compared case-insensitively.
    public static func contentType(forPathExtension pathExtension: String) -> String {
        typesByExtension[pathExtension.lowercased()] ?? defaultType
    }

    /// Returns the type for the extension of the last component of `path`. A name without a
    /// dot, or whose only dot starts it (`.profile`), has no extension.
    public static func contentType(forPath path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return defaultType }
        return contentType(forPathExtension: String(name[name.index(after: dot)...]))
    }
}
