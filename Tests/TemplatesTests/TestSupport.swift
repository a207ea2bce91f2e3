import Foundation
import Testing
@testable import Templates

/// A folder of template files in the system's temporary directory, removed when the
/// value is released.
final class TemplateFolder {
    let path: String

    init(_ files: [String: String] = [:]) throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("templates-test-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, contents) in files {
            try write(name, contents)
        }
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `NAME.html` (creating folders as needed) through a temporary file and a
    /// rename, as editors save, so that a concurrent reader never sees it half written.
    func write(_ name: String, _ contents: String) throws {
        let filePath = path + "/" + name + ".html"
        let folder = (filePath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: filePath), options: .atomic)
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: path + "/" + name + ".html")
    }

    func library(reloadOnChange: Bool = false) throws -> TemplateLibrary {
        try TemplateLibrary(root: path, reloadOnChange: reloadOnChange)
    }
}

/// Renders `page` from a folder holding `files`; `page` itself is the template when
/// `files` is empty.
func render(
    _ page: String,
    _ context: TemplateValue = [:],
    files: [String: String] = [:],
    translator: TemplateTranslator? = nil
) throws -> String {
    var allFiles = files
    allFiles["page"] = page
    let folder = try TemplateFolder(allFiles)
    return try folder.library().render("page", context, translator: translator)
}

/// Returns the error that loading `files` throws, or nil when they load.
func loadingError(_ files: [String: String]) throws -> TemplateError? {
    let folder = try TemplateFolder(files)
    do throws(TemplateError) {
        _ = try TemplateLibrary(root: folder.path)
        return nil
    } catch {
        return error
    }
}

/// The folder of realistic store templates next to this file.
let fixturesRoot: String = {
    let thisFile = URL(fileURLWithPath: #filePath)
    return thisFile.deletingLastPathComponent().appendingPathComponent("Fixtures").path
}()

extension TemplateFolder {
    /// Writes `NAME.html` with exactly these bytes.
    func writeBytes(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path + "/" + name + ".html"))
    }
}
