import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves the files under one folder for GET and HEAD requests below a URL prefix, with
/// validators (`ETag`, `Last-Modified`), conditional requests, single byte ranges and
/// `Cache-Control`.
///
/// A request can only reach a regular file inside the root. The request path is rejected when
/// it contains a `..` or `.` segment, a hidden (dot) segment, an empty segment, a backslash, a
/// NUL byte, or an encoded `/`, `\` or NUL (`%2F`, `%5C`, `%00`). Segments are decoded one by
/// one from `rawPath`, so `%2e%2e` is caught as `..`. The path is then resolved with
/// `realpath(3)`, and the result must lie inside the resolved root and have no hidden component.
/// Symbolic links that stay inside the root are followed, and links that lead out are not.
/// The root itself is resolved on every request, so swapping a `current` symlink for a new
/// release takes effect at once.
///
/// `response(for:)` returns nil whenever the request is not for a servable file, so the
/// application can go on to its routes or a 404 page.
public struct StaticFiles: Sendable {
    /// The folder as given. It may be relative to the working directory.
    public let root: String
    /// The URL path that maps to `root`, normalised to start and end with `/`.
    public let urlPrefix: String
    /// The `Cache-Control` value sent with every file and every 304.
    public let cacheControl: String

    private let prefixSegments: [String]

    public init(root: String, urlPrefix: String = "/", cacheControl: String = "public, max-age=3600") {
        self.root = root
        self.prefixSegments = urlPrefix.split(separator: "/").map(String.init)
        self.urlPrefix = prefixSegments.isEmpty ? "/" : "/" + prefixSegments.joined(separator: "/") + "/"
        self.cacheControl = cacheControl
    }

    /// Builds the response for a file under the root. Returns nil when the request is not a GET
    /// or HEAD, is outside `urlPrefix` or is rejected by the path rules above. It also returns
    /// nil when the path names neither a readable regular file nor a directory with
    /// `index.html`.
    ///
    /// A directory requested with a trailing slash serves its `index.html`. Without the slash
    /// the response is a 301 to the path with the slash, so that relative links in the page
    /// resolve inside the directory. The body of a HEAD response is left to the server to drop.
    public func response(for request: Request) -> Response? {
        guard request.method == .get || request.method == .head else { return nil }
        guard let requested = requestedPath(rawPath: request.rawPath) else { return nil }
        guard let rootPath = canonicalPath(root) else { return nil }

        switch locate(requested, rootPath: rootPath) {
        case .file(let path, let info):
            return fileResponse(path: path, info: info, request: request)
        case .directoryWithoutSlash:
            var location = request.rawPath + "/"
            if let questionMark = request.target.firstIndex(of: "?") {
                location += request.target[questionMark...]
            }
            return Response(status: .movedPermanently, headers: ["Location": location])
        case nil:
            return nil
        }
    }

    // MARK: - Mapping the request path

    /// The decoded path segments below the prefix.
    private struct RequestedPath {
        var segments: [String]
        var hasTrailingSlash: Bool
    }

    private func requestedPath(rawPath: String) -> RequestedPath? {
        guard rawPath.hasPrefix("/") else { return nil }

        // An encoded separator would become part of one segment after decoding and slip past
        // the segment checks, and an encoded NUL would cut the path short in C.
        let lowercased = rawPath.lowercased()
        guard !rawPath.utf8.contains(UInt8(ascii: "\\")), !rawPath.utf8.contains(0),
              !lowercased.contains("%2f"), !lowercased.contains("%5c"), !lowercased.contains("%00")
        else { return nil }

        var rawSegments = rawPath.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let hasTrailingSlash = rawSegments.last?.isEmpty == true
        if hasTrailingSlash { rawSegments = rawSegments.dropLast() }

        var segments: [String] = []
        for rawSegment in rawSegments {
            guard let segment = PercentEncoding.decode(rawSegment), !segment.isEmpty else { return nil }
            segments.append(segment)
        }
        guard segments.starts(with: prefixSegments) else { return nil }

        let relative = Array(segments.dropFirst(prefixSegments.count))
        for segment in relative where !isServableName(segment) {
            return nil
        }
        return RequestedPath(segments: relative, hasTrailingSlash: hasTrailingSlash)
    }

    /// Returns whether a decoded segment may name a file: it must not be hidden (which also
    /// excludes `.` and `..`) and must have no separator, NUL or other control byte.
    private func isServableName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, first != UInt8(ascii: ".") else { return false }
        return !name.utf8.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "\\") }
    }

    // MARK: - Finding the file

    private enum Location {
        case file(path: String, info: FileInfo)
        case directoryWithoutSlash
    }

    private func locate(_ requested: RequestedPath, rootPath: String) -> Location? {
        let candidate = ([rootPath] + requested.segments).joined(separator: "/")
        guard let resolved = containedCanonicalPath(candidate, rootPath: rootPath),
              let info = FileInfo(path: resolved)
        else { return nil }

        switch info.kind {
        case .regular:
            // `style.css/` names a directory that does not exist.
            return requested.hasTrailingSlash ? nil : .file(path: resolved, info: info)
        case .directory:
            guard let index = containedCanonicalPath(resolved + "/index.html", rootPath: rootPath),
                  let indexInfo = FileInfo(path: index),
                  indexInfo.kind == .regular
            else { return nil }
            return requested.hasTrailingSlash ? .file(path: index, info: indexInfo) : .directoryWithoutSlash
        case .other:
            return nil
        }
    }

    /// Resolves `path` and returns it only when it is the root or lies inside it without a
    /// hidden component, which a symlink could otherwise lead to. Paths are compared byte by
    /// byte, because `String` comparison treats canonically equivalent names as equal and the
    /// file system does not.
    private func containedCanonicalPath(_ path: String, rootPath: String) -> String? {
        guard let resolved = canonicalPath(path) else { return nil }
        if resolved.utf8.elementsEqual(rootPath.utf8) { return resolved }

        let rootWithSlash = rootPath.hasSuffix("/") ? rootPath : rootPath + "/"
        guard resolved.utf8.starts(with: rootWithSlash.utf8) else { return nil }

        let relative = resolved.utf8.dropFirst(rootWithSlash.utf8.count)
        for component in relative.split(separator: UInt8(ascii: "/")) where component.first == UInt8(ascii: ".") {
            return nil
        }
        return resolved
    }

    /// Resolves symlinks, `.` and `..` with `realpath(3)`. Returns nil when the path does not
    /// exist or resolves to a name that is not UTF-8.
    private func canonicalPath(_ path: String) -> String? {
        guard let pointer = realpath(path, nil) else { return nil }
        defer { free(pointer) }
        return String(validatingCString: pointer)
    }

    // MARK: - Building the response

    private static let partialContent = HTTPStatus(code: 206, reasonPhrase: "Partial Content")
    private static let preconditionFailed = HTTPStatus(code: 412, reasonPhrase: "Precondition Failed")
    private static let rangeNotSatisfiable = HTTPStatus(code: 416, reasonPhrase: "Range Not Satisfiable")

    // NOTE: the file is checked here and opened later by the server, so a file replaced in
    // between (for example by a symlink to outside the root) is served as it is then.
    private func fileResponse(path: String, info: FileInfo, request: Request) -> Response? {
        guard access(path, R_OK) == 0 else { return nil }

        let now = Int(Date().timeIntervalSince1970)
        // RFC 9110, section 8.8.2.1: Last-Modified must not be later than the response's Date.
        let lastModified = min(info.modificationSeconds, now)
        let etag = entityTag(for: info)

        var headers = HTTPHeaders()
        headers.add("ETag", etag.headerValue)
        headers.add("Last-Modified", IMFFixdate.format(Date(timeIntervalSince1970: TimeInterval(lastModified))))
        headers.add("Cache-Control", cacheControl)

        switch evaluatePreconditions(request.headers, etag: etag, lastModified: lastModified) {
        case .notModified:
            // RFC 9110, section 15.4.5: a 304 carries the validators and Cache-Control a 200 would.
            return Response(status: .notModified, headers: headers)
        case .failed:
            headers.add("Content-Type", "text/plain; charset=utf-8")
            return Response(
                status: Self.preconditionFailed, headers: headers,
                body: .bytes(Array("The file has changed: If-Match or If-Unmodified-Since did not match.".utf8)))
        case .proceed:
            break
        }

        headers.add("Content-Type", MIMETypes.contentType(forPath: path))
        headers.add("Accept-Ranges", "bytes")
        headers.add("X-Content-Type-Options", "nosniff")

        // RFC 9110, section 14.2: range requests are defined for GET only.
        if request.method == .get, let range = request.headers["Range"],
           rangeConditionHolds(request.headers, etag: etag, lastModified: lastModified, now: now) {
            switch ByteRangeSelection.evaluate(range, size: info.size) {
            case .wholeFile:
                break
            case .range(let offset, let length):
                headers.add("Content-Range", "bytes \(offset)-\(offset + length - 1)/\(info.size)")
                return Response(
                    status: Self.partialContent, headers: headers,
                    body: .file(path: path, offset: offset, length: length))
            case .unsatisfiable:
                var rangeHeaders: HTTPHeaders = ["Content-Range": "bytes */\(info.size)"]
                rangeHeaders.add("Content-Type", "text/plain; charset=utf-8")
                return Response(
                    status: Self.rangeNotSatisfiable, headers: rangeHeaders,
                    body: .bytes(Array("The requested range starts beyond the file's \(info.size) bytes.".utf8)))
            }
        }
        return Response(status: .ok, headers: headers, body: .file(path: path, offset: 0, length: info.size))
    }

    /// Makes a strong tag from the size and the modification time in nanoseconds. Two versions
    /// share a tag only if they have the same size and the same timestamp, at the file
    /// system's timestamp resolution. The inode is left out so that copies of a release on
    /// several nodes get the same tag.
    private func entityTag(for info: FileInfo) -> EntityTag {
        let size = String(info.size, radix: 16)
        let seconds = String(info.modificationSeconds, radix: 16)
        let nanoseconds = String(info.modificationNanoseconds, radix: 16)
        return EntityTag(opaqueTag: "\(size)-\(seconds).\(nanoseconds)", isWeak: false)
    }

    private enum PreconditionOutcome {
        case proceed
        case notModified
        case failed
    }

    /// Evaluates the conditional headers in the order of RFC 9110, section 13.2.2, for a GET
    /// or HEAD. `If-None-Match` takes precedence over `If-Modified-Since`, and `If-Match` over
    /// `If-Unmodified-Since`. Dates are compared in whole seconds, as HTTP-date has no fractions.
    private func evaluatePreconditions(_ headers: HTTPHeaders, etag: EntityTag, lastModified: Int) -> PreconditionOutcome {
        let ifMatch = headers.values(for: "If-Match")
        if !ifMatch.isEmpty {
            switch EntityTag.parseCondition(ifMatch) {
            case .any:
                break
            case .tags(let tags):
                // If-Match uses the strong comparison (RFC 9110, section 13.1.1).
                if !tags.contains(where: { $0.matchesStrongly(etag) }) { return .failed }
            case nil:
                return .failed
            }
        } else if let date = singleDate(headers, "If-Unmodified-Since"), lastModified > date {
            return .failed
        }

        let ifNoneMatch = headers.values(for: "If-None-Match")
        if !ifNoneMatch.isEmpty {
            switch EntityTag.parseCondition(ifNoneMatch) {
            case .any:
                return .notModified
            case .tags(let tags):
                // If-None-Match uses the weak comparison (RFC 9110, section 13.1.2).
                if tags.contains(where: { $0.matchesWeakly(etag) }) { return .notModified }
            case nil:
                break
            }
        } else if let date = singleDate(headers, "If-Modified-Since"), lastModified <= date {
            return .notModified
        }
        return .proceed
    }

    /// Returns the date in header `name` as seconds since 1970. Returns nil when the header is
    /// missing, repeated or not an HTTP-date, because RFC 9110, section 13.1.3, has such a
    /// header ignored.
    private func singleDate(_ headers: HTTPHeaders, _ name: String) -> Int? {
        let values = headers.values(for: name)
        guard values.count == 1, let date = IMFFixdate.parse(values[0]) else { return nil }
        return Int(date.timeIntervalSince1970)
    }

    /// Evaluates `If-Range` (RFC 9110, section 13.1.5). The range is served only when the
    /// client's validator still matches. A date counts only if it equals `Last-Modified` and
    /// that date is at least a second old, which makes it a strong validator (section 8.8.2.2).
    private func rangeConditionHolds(_ headers: HTTPHeaders, etag: EntityTag, lastModified: Int, now: Int) -> Bool {
        guard let ifRange = headers["If-Range"] else { return true }
        if let tag = EntityTag.parse(ifRange) {
            return tag.matchesStrongly(etag)
        }
        if let date = IMFFixdate.parse(ifRange) {
            return Int(date.timeIntervalSince1970) == lastModified && lastModified < now
        }
        return false
    }
}

/// The `stat(2)` fields that static file serving needs.
private struct FileInfo {
    enum Kind {
        case regular
        case directory
        case other
    }

    let kind: Kind
    let size: Int
    let modificationSeconds: Int
    let modificationNanoseconds: Int

    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }

        switch status.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        size = Int(status.st_size)
        #if canImport(Darwin)
        modificationSeconds = Int(status.st_mtimespec.tv_sec)
        modificationNanoseconds = Int(status.st_mtimespec.tv_nsec)
        #else
        modificationSeconds = Int(status.st_mtim.tv_sec)
        modificationNanoseconds = Int(status.st_mtim.tv_nsec)
        #endif
    }
}
