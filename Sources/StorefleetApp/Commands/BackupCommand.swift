import Foundation
import HTTPServer
import SQLite
import Tenancy

/// `storefleet backup`: copies the catalog and every store file with SQLite's online backup
/// API into `backups/<UTC time>/`, while the server keeps running.
enum BackupCommand {
    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs = [
            OptionSpec("--to", value: "DIR", default: nil, help: "Folder to write the backup into. Default: DATA/backups/<UTC time>."),
        ] + StorefleetCommand.catalogOptions
        if arguments.contains("--help") {
            writeOutput(helpText(
                usage: "storefleet backup [--to DIR]",
                summary: "Backs up the catalog and every store's database while the server runs. Uploaded files are not copied; copy stores/<id>/files/ with any file tool.",
                specs: specs
            ))
            return 0
        }
        let options = try ParsedOptions(arguments, specs: specs, environment: environment)
        let context = try StoresCommand.Context(options)

        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let target = URL(fileURLWithPath: options["--to"] ?? (context.dataDirectory.root.path + "/backups/" + stamp))
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: target.path)) ?? []
        guard existing.isEmpty else {
            throw UsageError("The backup folder \(target.path) is not empty. Choose another folder with --to.")
        }
        try FileManager.default.createDirectory(at: target.appendingPathComponent("stores"), withIntermediateDirectories: true)

        let catalogSource = try Database(path: context.dataDirectory.catalogPath, configuration: .init(accessMode: .readOnly))
        try catalogSource.backup(to: target.appendingPathComponent("platform.sqlite").path)
        try catalogSource.close()

        let stores = try context.catalog.allStores().filter { $0.state == .ready }
        var failed = 0
        for (index, store) in stores.enumerated() {
            let folder = target.appendingPathComponent("stores/" + store.id)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                let source = try Database(path: context.dataDirectory.storeDatabasePath(store.id), configuration: .init(accessMode: .readOnly))
                defer { try? source.close() }
                try source.backup(to: folder.appendingPathComponent("store.sqlite").path)
            } catch {
                failed += 1
                writeOutput("\(store.slug): FAILED: \(error)")
            }
            writeOutput("Backed up \(index + 1) of \(stores.count) stores")
        }
        writeOutput("Backup written to \(target.path): the catalog and \(stores.count - failed) stores, \(failed) failed.")
        return failed == 0 ? 0 : 1
    }
}
