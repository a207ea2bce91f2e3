import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The fields of `stat(2)` that change when a file is edited: size, times and inode. An
/// editor that saves by rename changes the inode, and one that writes in place changes
/// the size or the times.
///
/// NOTE: an in-place rewrite that keeps the size and falls within the file system's
/// timestamp granularity (a few milliseconds on Linux, a second or two elsewhere) looks
/// unchanged, so reload mode keeps the older parse until the next edit.
struct FileSignature: Equatable, Sendable {
    let size: Int64
    let modificationSeconds: Int
    let modificationNanoseconds: Int
    let statusChangeSeconds: Int
    let statusChangeNanoseconds: Int
    let inode: UInt64

    /// The signature of a regular file, or nil when there is none at `path`.
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int64(info.st_size)
        inode = UInt64(info.st_ino)
        #if canImport(Darwin)
        modificationSeconds = Int(info.st_mtimespec.tv_sec)
        modificationNanoseconds = Int(info.st_mtimespec.tv_nsec)
        statusChangeSeconds = Int(info.st_ctimespec.tv_sec)
        statusChangeNanoseconds = Int(info.st_ctimespec.tv_nsec)
        #else
        modificationSeconds = Int(info.st_mtim.tv_sec)
        modificationNanoseconds = Int(info.st_mtim.tv_nsec)
        statusChangeSeconds = Int(info.st_ctim.tv_sec)
        statusChangeNanoseconds = Int(info.st_ctim.tv_nsec)
        #endif
    }
}

/// One template file as last read: the signature taken just before reading, and the
/// parse result.
struct TemplateSource: Sendable {
    let signature: FileSignature
    let parsed: Result<ParsedTemplate, TemplateError>
}

/// Finds and reads the `.html` files under a template root.
struct TemplateDirectory: Sendable {
    let root: String

    /// Fails when `root` is not a directory.
    init(root: String) throws(TemplateError) {
        var trimmed = root
        while trimmed.count > 1 && trimmed.hasSuffix("/") {
            trimmed.removeLast()
        }
        self.root = trimmed

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: trimmed, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TemplateError(
                file: trimmed,
                line: 0,
                column: 0,
                message: "template root not found or not a directory; pass the folder that contains the .html templates"
            )
        }
    }

    func path(for name: String) -> String {
        root + "/" + TemplateLinker.file(for: name)
    }

    /// Names (paths under the root without `.html`) of every template file, skipping
    /// hidden files and folders such as editor backups.
    func templateNames() throws(TemplateError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw TemplateError(file: root, line: 0, column: 0, message: "could not list the template root; check that it is readable")
        }
        var names: [String] = []
        while let relativePath = enumerator.nextObject() as? String {
            let components = relativePath.split(separator: "/")
            if components.contains(where: { $0.hasPrefix(".") }) {
                enumerator.skipDescendants()
                continue
            }
            guard relativePath.hasSuffix(".html"), relativePath.count > 5 else { continue }
            names.append(String(relativePath.dropLast(5)))
        }
        return names.sorted()
    }

    /// Reads and parses every template, reusing entries of `previous` whose file has not
    /// changed. `changed` is false when the result equals `previous`.
    func load(reusing previous: [String: TemplateSource] = [:]) throws(TemplateError) -> (sources: [String: TemplateSource], changed: Bool) {
        var sources: [String: TemplateSource] = [:]
        var changed = false

        for name in try templateNames() {
            let path = path(for: name)
            guard let signature = FileSignature(path: path) else { continue }
            if let earlier = previous[name], earlier.signature == signature {
                sources[name] = earlier
                continue
            }
            changed = true
            sources[name] = TemplateSource(signature: signature, parsed: Result { () throws(TemplateError) in
                try TemplateParser.parse(name: name, file: TemplateLinker.file(for: name), bytes: readFile(path, name: name))
            })
        }

        if sources.count != previous.count {
            changed = true
        }
        return (sources, changed)
    }

    private func readFile(_ path: String, name: String) throws(TemplateError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TemplateError(file: TemplateLinker.file(for: name), line: 0, column: 0, message: "could not read the file; check that it is readable")
        }
        return [UInt8](data)
    }
}
