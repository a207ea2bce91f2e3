import Foundation
import HTTPServer
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary folder laid out as a site: `public/` is the root, with files of every type,
/// a subfolder with `index.html`, hidden files, a FIFO and symlinks that stay inside or lead
/// out. `secret.txt` and `public-evil/` sit next to the root, outside it.
private final class SiteFolder {
    let base: String
    let root: String
    /// 2023-11-14 22:13:20 UTC, set on every file so `Last-Modified` is predictable.
    let modificationDate = Date(timeIntervalSince1970: 1_700_000_000)

    init() throws {
        let fileManager = FileManager.default
        base = fileManager.temporaryDirectory.appendingPathComponent("storefleet-static-\(UUID().uuidString)").path
        root = base + "/public"

        for folder in ["public/docs", "public/empty-dir", "public/.git", "public/sub", "outside-dir", "public-evil"] {
            try fileManager.createDirectory(atPath: base + "/" + folder, withIntermediateDirectories: true)
        }

        let files: [String: String] = [
            "public/index.html": "<h1>Home</h1>",
            "public/docs/index.html": "<h1>Docs</h1>",
            "public/style.css": "body { color: #333 }",
            "public/0123456789.txt": "0123456789",
            "public/with space.txt": "spaced",
            "public/café.txt": "unicode",
            "public/Makefile": "all:",
            "public/archive.unknownext": "?",
            "public/.env": "SECRET=1",
            "public/.git/config": "[core]",
            "public/sub/.hidden.txt": "hidden",
            "public/sub/visible.txt": "visible",
            "secret.txt": "outside the root",
            "outside-dir/secret.txt": "outside the root",
            "public-evil/x.txt": "sibling with the root's name as prefix",
        ]
        for (path, content) in files {
            try write(content, to: base + "/" + path)
        }
        for name in Self.typedFiles.keys {
            try write("x", to: root + "/" + name)
        }

        try fileManager.createSymbolicLink(atPath: root + "/link-inside", withDestinationPath: "style.css")
        try fileManager.createSymbolicLink(atPath: root + "/link-dir-inside", withDestinationPath: "docs")
        try fileManager.createSymbolicLink(atPath: root + "/link-outside", withDestinationPath: "../secret.txt")
        try fileManager.createSymbolicLink(atPath: root + "/link-outside-dir", withDestinationPath: "../outside-dir")
        try fileManager.createSymbolicLink(atPath: root + "/link-absolute-outside", withDestinationPath: base + "/secret.txt")
        try fileManager.createSymbolicLink(atPath: root + "/link-to-hidden", withDestinationPath: ".env")
        try fileManager.createSymbolicLink(atPath: root + "/link-sibling", withDestinationPath: "../public-evil/x.txt")
        try fileManager.createSymbolicLink(atPath: base + "/current", withDestinationPath: "public")
        guard mkfifo(root + "/pipe", 0o644) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: root + "/pipe"])
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: base)
    }

    private func write(_ content: String, to path: String) throws {
        try Data(content.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: modificationDate], ofItemAtPath: path)
    }

    /// File names and the Content-Type each must get.
    static let typedFiles: [String: String] = [
        "page.html": "text/html; charset=utf-8",
        "page.htm": "text/html; charset=utf-8",
        "site.css": "text/css; charset=utf-8",
        "app.js": "text/javascript; charset=utf-8",
        "module.mjs": "text/javascript; charset=utf-8",
        "data.json": "application/json",
        "logo.svg": "image/svg+xml",
        "image.png": "image/png",
        "photo.jpg": "image/jpeg",
        "photo2.JPEG": "image/jpeg",
        "anim.gif": "image/gif",
        "pic.webp": "image/webp",
        "pic.avif": "image/avif",
        "favicon.ico": "image/vnd.microsoft.icon",
        "font.woff": "font/woff",
        "font.woff2": "font/woff2",
        "font.ttf": "font/ttf",
        "font.otf": "font/otf",
        "notes.txt": "text/plain; charset=utf-8",
        "feed.xml": "application/xml",
        "manual.pdf": "application/pdf",
        "app.js.map": "application/json",
        "module.wasm": "application/wasm",
    ]
}

private func request(_ target: String, method: HTTPMethod = .get, headers: HTTPHeaders = HTTPHeaders()) -> Request {
    RequestFixture.make(method: method, target: target, headers: headers)
}

private func servedFile(_ response: Response?) -> (path: String, offset: Int, length: Int)? {
    guard let response, case .file(let path, let offset, let length) = response.body else { return nil }
    return (path, offset, length)
}

@Suite struct StaticFilesServingTests {
    @Test func contentTypesByExtension() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        for (name, expected) in SiteFolder.typedFiles {
            let response = try #require(files.response(for: request("/" + name)), "\(name)")
            #expect(response.headers["Content-Type"] == expected, "\(name)")
        }
    }

    @Test func unknownOrMissingExtensionIsOctetStream() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        #expect(files.response(for: request("/archive.unknownext"))?.headers["Content-Type"] == "application/octet-stream")
        #expect(files.response(for: request("/Makefile"))?.headers["Content-Type"] == "application/octet-stream")
    }

    @Test func fileResponseHeadersAndBody() throws {
        let site = try SiteFolder()
        let response = try #require(StaticFiles(root: site.root).response(for: request("/style.css")))

        #expect(response.status == .ok)
        let file = try #require(servedFile(response))
        #expect(file.path.hasSuffix("/public/style.css"))
        #expect(file.offset == 0)
        #expect(file.length == 20)
        #expect(response.headers["Content-Type"] == "text/css; charset=utf-8")
        #expect(response.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(response.headers["Cache-Control"] == "public, max-age=3600")
        #expect(response.headers["Accept-Ranges"] == "bytes")
        #expect(response.headers["X-Content-Type-Options"] == "nosniff")
        let etag = try #require(response.headers["ETag"])
        #expect(etag.hasPrefix("\"14-6553f100."))
        #expect(etag.hasSuffix("\""))
    }

    @Test func etagChangesWithContent() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        let before = try #require(files.response(for: request("/style.css"))?.headers["ETag"])

        try Data("body { color: #000; margin: 0 }".utf8).write(to: URL(fileURLWithPath: site.root + "/style.css"))
        let after = try #require(files.response(for: request("/style.css"))?.headers["ETag"])
        #expect(before != after)
    }

    @Test func customCacheControl() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root, cacheControl: "public, max-age=31536000, immutable")
        #expect(files.response(for: request("/style.css"))?.headers["Cache-Control"]
            == "public, max-age=31536000, immutable")
    }

    @Test func headGetsTheSameResponse() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        let head = try #require(files.response(for: request("/style.css", method: .head)))
        let get = try #require(files.response(for: request("/style.css")))
        #expect(head.status == .ok)
        #expect(head.headers["ETag"] == get.headers["ETag"])
        #expect(servedFile(head)?.length == 20)
    }

    @Test func otherMethodsGetNil() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        for method in [HTTPMethod.post, .put, .delete, .patch, .options] {
            #expect(files.response(for: request("/style.css", method: method)) == nil, "\(method)")
        }
    }

    @Test func missingFilesGetNil() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        #expect(files.response(for: request("/nope.css")) == nil)
        #expect(files.response(for: request("/docs/nope.html")) == nil)
        #expect(files.response(for: request("/empty-dir/")) == nil)
        #expect(files.response(for: request("/empty-dir")) == nil)
        #expect(files.response(for: request("/style.css/")) == nil)
        #expect(files.response(for: request("/pipe")) == nil)
    }

    @Test func missingRootGetsNil() throws {
        let files = StaticFiles(root: "/nonexistent/storefleet/public")
        #expect(files.response(for: request("/index.html")) == nil)
    }

    @Test func encodedNamesAreDecoded() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        #expect(servedFile(files.response(for: request("/with%20space.txt")))?.path.hasSuffix("/with space.txt") == true)
        #expect(servedFile(files.response(for: request("/caf%C3%A9.txt")))?.path.hasSuffix("/café.txt") == true)
        #expect(files.response(for: request("/style.css?v=3"))?.status == .ok)
    }

    @Test func indexHTMLForDirectories() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)

        let home = try #require(files.response(for: request("/")))
        #expect(servedFile(home)?.path.hasSuffix("/public/index.html") == true)
        #expect(home.headers["Content-Type"] == "text/html; charset=utf-8")

        let docs = try #require(files.response(for: request("/docs/")))
        #expect(servedFile(docs)?.path.hasSuffix("/public/docs/index.html") == true)
    }

    @Test func directoryWithoutSlashRedirects() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        let response = try #require(files.response(for: request("/docs?lang=en")))
        #expect(response.status == .movedPermanently)
        #expect(response.headers["Location"] == "/docs/?lang=en")
    }

    @Test func urlPrefixMapsToRoot() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root, urlPrefix: "/assets")
        #expect(files.urlPrefix == "/assets/")
        #expect(servedFile(files.response(for: request("/assets/style.css")))?.path.hasSuffix("/public/style.css") == true)
        #expect(servedFile(files.response(for: request("/assets/docs/")))?.path.hasSuffix("/docs/index.html") == true)
        #expect(files.response(for: request("/assets"))?.headers["Location"] == "/assets/")
        #expect(files.response(for: request("/style.css")) == nil)
        #expect(files.response(for: request("/assetsX/style.css")) == nil)
        #expect(files.response(for: request("/other/assets/style.css")) == nil)
    }

    @Test func rootThroughSymlinkIsResolved() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.base + "/current")
        let file = try #require(servedFile(files.response(for: request("/style.css"))))
        #expect(file.path.hasSuffix("/public/style.css"))
        #expect(!file.path.contains("/current/"))
    }

    @Test(.enabled(if: getuid() != 0, "root can read any file"))
    func unreadableFileGetsNil() throws {
        let site = try SiteFolder()
        #expect(chmod(site.root + "/style.css", 0o000) == 0)
        #expect(StaticFiles(root: site.root).response(for: request("/style.css")) == nil)
    }
}

@Suite struct StaticFilesTraversalTests {
    private func expectRejected(_ target: String, files: StaticFiles, sourceLocation: SourceLocation = #_sourceLocation) {
        let response = files.response(for: request(target))
        #expect(response == nil, "\(target) was served: \(String(describing: servedFile(response)))",
                sourceLocation: sourceLocation)
    }

    @Test func dotDotSegments() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/../secret.txt", files: files)
        expectRejected("/docs/../../secret.txt", files: files)
        expectRejected("/docs/../style.css", files: files)
        expectRejected("/./style.css", files: files)
        expectRejected("/..", files: files)
    }

    @Test func encodedDotDot() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/%2e%2e/secret.txt", files: files)
        expectRejected("/%2E%2E/secret.txt", files: files)
        expectRejected("/.%2e/secret.txt", files: files)
        expectRejected("/docs/%2e%2e/%2e%2e/secret.txt", files: files)
        expectRejected("/%2e/style.css", files: files)
    }

    @Test func encodedSeparators() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/docs%2f..%2f..%2fsecret.txt", files: files)
        expectRejected("/docs%2Findex.html", files: files)
        expectRejected("/..%5csecret.txt", files: files)
        expectRejected("/docs%5Cindex.html", files: files)
    }

    @Test func backslashesAndNulBytes() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/docs\\..\\style.css", files: files)
        expectRejected("/\\style.css", files: files)
        expectRejected("/style.css%00.png", files: files)
        expectRejected("/style.css\u{0}", files: files)
        expectRejected("/style%0a.css", files: files)
    }

    @Test func malformedOrOddPaths() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("//style.css", files: files)
        expectRejected("//evil.example/", files: files)
        expectRejected("/docs//index.html", files: files)
        expectRejected("style.css", files: files)
        expectRejected("/%zz.css", files: files)
        expectRejected("/%FF.css", files: files)
    }

    @Test func hiddenFiles() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/.env", files: files)
        expectRejected("/%2eenv", files: files)
        expectRejected("/.git/config", files: files)
        expectRejected("/sub/.hidden.txt", files: files)
        #expect(files.response(for: request("/sub/visible.txt"))?.status == .ok)
    }

    @Test func symlinksLeavingTheRoot() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)
        expectRejected("/link-outside", files: files)
        expectRejected("/link-absolute-outside", files: files)
        expectRejected("/link-outside-dir/secret.txt", files: files)
        expectRejected("/link-to-hidden", files: files)
        // `public-evil` starts with the root's path but is not inside it.
        expectRejected("/link-sibling", files: files)
    }

    @Test func symlinksInsideTheRootAreFollowed() throws {
        let site = try SiteFolder()
        let files = StaticFiles(root: site.root)

        let file = try #require(files.response(for: request("/link-inside")))
        #expect(servedFile(file)?.path.hasSuffix("/public/style.css") == true)
        #expect(file.headers["Content-Type"] == "text/css; charset=utf-8")

        let directory = try #require(files.response(for: request("/link-dir-inside/")))
        #expect(servedFile(directory)?.path.hasSuffix("/public/docs/index.html") == true)
    }
}

@Suite struct StaticFilesConditionalTests {
    private func response(_ site: SiteFolder, _ headers: HTTPHeaders, method: HTTPMethod = .get) throws -> Response {
        try #require(StaticFiles(root: site.root).response(for: request("/style.css", method: method, headers: headers)))
    }

    private func etag(_ site: SiteFolder) throws -> String {
        try #require(try response(site, HTTPHeaders()).headers["ETag"])
    }

    @Test func ifNoneMatchExactTag() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        let notModified = try response(site, ["If-None-Match": tag])
        #expect(notModified.status == .notModified)
        #expect(notModified.headers["ETag"] == tag)
        #expect(notModified.headers["Cache-Control"] == "public, max-age=3600")
        #expect(notModified.headers["Last-Modified"] == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(servedFile(notModified) == nil)
    }

    @Test func ifNoneMatchOnHead() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        #expect(try response(site, ["If-None-Match": tag], method: .head).status == .notModified)
    }

    @Test func ifNoneMatchWeakListAndStar() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        #expect(try response(site, ["If-None-Match": "W/" + tag]).status == .notModified)
        #expect(try response(site, ["If-None-Match": "\"other\", W/\"x,y\" ,\(tag)"]).status == .notModified)
        #expect(try response(site, ["If-None-Match": "*"]).status == .notModified)

        var split = HTTPHeaders()
        split.add("If-None-Match", "\"other\"")
        split.add("If-None-Match", tag)
        #expect(try response(site, split).status == .notModified)
    }

    @Test func ifNoneMatchMismatchOrMalformedServesFile() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        #expect(try response(site, ["If-None-Match": "\"other\""]).status == .ok)
        #expect(try response(site, ["If-None-Match": String(tag.dropFirst().dropLast())]).status == .ok)
        #expect(try response(site, ["If-None-Match": "\"unterminated"]).status == .ok)
    }

    @Test func ifModifiedSince() throws {
        let site = try SiteFolder()
        #expect(try response(site, ["If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT"]).status == .notModified)
        #expect(try response(site, ["If-Modified-Since": "Wed, 15 Nov 2023 00:00:00 GMT"]).status == .notModified)
        #expect(try response(site, ["If-Modified-Since": "Tuesday, 14-Nov-23 22:13:20 GMT"]).status == .notModified)
        #expect(try response(site, ["If-Modified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"]).status == .ok)
        #expect(try response(site, ["If-Modified-Since": "yesterday"]).status == .ok)
    }

    @Test func ifNoneMatchTakesPrecedence() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        let headers: HTTPHeaders = [
            "If-None-Match": "\"stale\"",
            "If-Modified-Since": "Wed, 15 Nov 2023 00:00:00 GMT",
        ]
        #expect(try response(site, headers).status == .ok)

        let matching: HTTPHeaders = [
            "If-None-Match": tag,
            "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT",
        ]
        #expect(try response(site, matching).status == .notModified)
    }

    @Test func ifMatchAndIfUnmodifiedSince() throws {
        let site = try SiteFolder()
        let tag = try etag(site)
        #expect(try response(site, ["If-Match": tag]).status == .ok)
        #expect(try response(site, ["If-Match": "*"]).status == .ok)
        #expect(try response(site, ["If-Match": "\"other\""]).status.code == 412)
        // If-Match uses the strong comparison, so a weak tag never matches.
        #expect(try response(site, ["If-Match": "W/" + tag]).status.code == 412)
        #expect(try response(site, ["If-Unmodified-Since": "Tue, 14 Nov 2023 22:13:20 GMT"]).status == .ok)
        #expect(try response(site, ["If-Unmodified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"]).status.code == 412)
    }

    @Test func futureModificationTimeIsClamped() throws {
        let site = try SiteFolder()
        let future = Date().addingTimeInterval(86_400 * 365)
        try FileManager.default.setAttributes([.modificationDate: future], ofItemAtPath: site.root + "/style.css")

        let lastModified = try #require(try response(site, HTTPHeaders()).headers["Last-Modified"])
        let date = try #require(IMFFixdate.parse(lastModified))
        #expect(date <= Date())
    }
}

@Suite struct StaticFilesRangeTests {
    private func response(_ site: SiteFolder, _ headers: HTTPHeaders, method: HTTPMethod = .get) throws -> Response {
        try #require(StaticFiles(root: site.root).response(for: request("/0123456789.txt", method: method, headers: headers)))
    }

    @Test func singleRanges() throws {
        let site = try SiteFolder()
        let cases: [(range: String, offset: Int, length: Int, contentRange: String)] = [
            ("bytes=0-4", 0, 5, "bytes 0-4/10"),
            ("bytes=5-", 5, 5, "bytes 5-9/10"),
            ("bytes=-3", 7, 3, "bytes 7-9/10"),
            ("bytes=-30", 0, 10, "bytes 0-9/10"),
            ("bytes=8-100", 8, 2, "bytes 8-9/10"),
            ("Bytes = 2-2", 2, 1, "bytes 2-2/10"),
            ("bytes=3-4,", 3, 2, "bytes 3-4/10"),
        ]
        for item in cases {
            let partial = try response(site, ["Range": item.range])
            #expect(partial.status.code == 206, "\(item.range)")
            #expect(partial.headers["Content-Range"] == item.contentRange, "\(item.range)")
            let file = try #require(servedFile(partial))
            #expect(file.offset == item.offset, "\(item.range)")
            #expect(file.length == item.length, "\(item.range)")
        }
    }

    @Test func unsatisfiableRangeIs416() throws {
        let site = try SiteFolder()
        for range in ["bytes=10-", "bytes=10-20", "bytes=-0"] {
            let rejected = try response(site, ["Range": range])
            #expect(rejected.status.code == 416, "\(range)")
            #expect(rejected.headers["Content-Range"] == "bytes */10", "\(range)")
        }
    }

    @Test func ignoredRangesServeWholeFile() throws {
        let site = try SiteFolder()
        for range in ["bytes=0-1,4-5", "items=0-1", "bytes=5-2", "bytes=a-b", "bytes=", "bytes 0-1"] {
            let whole = try response(site, ["Range": range])
            #expect(whole.status == .ok, "\(range)")
            #expect(servedFile(whole)?.length == 10, "\(range)")
        }
        #expect(try response(site, ["Range": "bytes=0-1"], method: .head).status == .ok)
    }

    @Test func ifRangeDecidesBetweenPartAndWhole() throws {
        let site = try SiteFolder()
        let full = try response(site, HTTPHeaders())
        let tag = try #require(full.headers["ETag"])
        let lastModified = try #require(full.headers["Last-Modified"])

        #expect(try response(site, ["Range": "bytes=0-1", "If-Range": tag]).status.code == 206)
        #expect(try response(site, ["Range": "bytes=0-1", "If-Range": lastModified]).status.code == 206)
        #expect(try response(site, ["Range": "bytes=0-1", "If-Range": "\"stale\""]).status == .ok)
        #expect(try response(site, ["Range": "bytes=0-1", "If-Range": "W/" + tag]).status == .ok)
        #expect(try response(site, ["Range": "bytes=0-1", "If-Range": "Mon, 01 Jan 2001 00:00:00 GMT"]).status == .ok)
    }
}

@Suite struct MIMETypesTests {
    @Test func lookupByPath() {
        #expect(MIMETypes.contentType(forPath: "/a/b/STYLE.CSS") == "text/css; charset=utf-8")
        #expect(MIMETypes.contentType(forPath: "archive.tar.gz") == "application/octet-stream")
        #expect(MIMETypes.contentType(forPath: ".profile") == "application/octet-stream")
        #expect(MIMETypes.contentType(forPath: "dir.v2/README") == "application/octet-stream")
        #expect(MIMETypes.contentType(forPathExtension: "woff2") == "font/woff2")
    }
}
