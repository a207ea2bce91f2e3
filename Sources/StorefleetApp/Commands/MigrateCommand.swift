import Commerce
import Foundation
import HTTPServer
import Tenancy

/// `storefleet migrate`: applies pending migrations to every store file in parallel
/// workers. A store that fails does not stop the others; rerunning continues where it
/// stopped, because each migration commits on its own.
enum MigrateCommand {
    static func run(_ arguments: [String], environment: [String: String]) throws -> Int32 {
        let specs = [
            OptionSpec("--workers", value: "N", default: String(max(2, ProcessInfo.processInfo.activeProcessorCount)),
                       help: "Stores migrated at the same time."),
        ] + StorefleetCommand.catalogOptions
        if arguments.contains("--help") {
            writeOutput(helpText(usage: "storefleet migrate [--workers N]",
                           summary: "Migrates the catalog and every store file to this version of Storefleet.",
                           specs: specs))
            return 0
        }
        let options = try ParsedOptions(arguments, specs: specs, environment: environment)
        let context = try StoresCommand.Context(options)
        let workers = try options.integer("--workers", in: 1...64) ?? 2

        let runner = StoreMigrationRunner(catalog: context.catalog, dataDirectory: context.dataDirectory, workerCount: workers, logger: .silent)
        let isTerminal = isatty(STDOUT_FILENO) != 0
        let results = try runner.run(
            migrate: { database in try StoreSchema.migrate(database) },
            progress: { progress in
                let line = "Checked \(progress.done) of \(progress.total) stores, \(progress.failed) failed"
                if isTerminal {
                    writeOutput("\r" + line, terminator: "")
                } else if progress.done == progress.total || progress.done % 100 == 0 {
                    writeOutput(line)
                }
            }
        )
        if isTerminal { writeOutput("") }

        var failed = 0
        var migrated = 0
        for result in results {
            switch result.outcome {
            case .migrated(let names) where !names.isEmpty:
                migrated += 1
                writeOutput("\(result.slug): applied \(names.joined(separator: ", "))")
            case .migrated:
                break
            case .failed(let message):
                failed += 1
                writeOutput("\(result.slug): FAILED: \(message)")
            case .skipped(let reason):
                writeOutput("\(result.slug): skipped: \(reason)")
            }
        }
        writeOutput("\(results.count) stores: \(migrated) migrated, \(results.count - migrated - failed) already up to date or skipped, \(failed) failed.")
        return failed == 0 ? 0 : 1
    }
}
