import Foundation
import HTTPServer

/// The `storefleet` command line: `serve` (the default), `stores …` and `migrate`.
public enum StorefleetCommand {
    static let usage = """
        Usage: storefleet [COMMAND] [OPTIONS]

        Commands:
          serve                     Run the server (the default when no command is given).
          stores create             Create a store on a 14-day trial.
          stores list               List the stores in the catalog.
          stores check              Find stores left half-created or damaged; --repair fixes them.
          stores domains add        Add a custom domain to a store.
          stores domains remove     Remove a custom domain from a store.
          stores domains list       List a store's custom domains.
          stores plan               Move a store to another plan.
          stores activate           Put a store on a paid plan (also reopens a suspended one).
          stores extend-trial       Lengthen a trialing or expired store's trial.
          stores suspend            Stop a store without deleting anything.
          migrate                   Apply pending migrations to every store file.
          backup                    Back up the catalog and every store file while the server runs.

        Run `storefleet serve --help` or `storefleet stores create --help` (and so on) for a
        command's options.
        """

    /// Runs the command in `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        var arguments = arguments
        // `storefleet --help` lists the commands; `storefleet --port 9000` is `serve`'s.
        if arguments == ["--help"] || arguments == ["-h"] {
            writeOutput(usage)
            return 0
        }
        let command = arguments.first.flatMap { $0.hasPrefix("-") ? nil : $0 } ?? "serve"
        if !arguments.isEmpty, !arguments[0].hasPrefix("-") {
            arguments.removeFirst()
        }

        do {
            switch command {
            case "serve":
                return try ServeCommand.run(arguments, environment: environment)
            case "stores":
                return try StoresCommand.run(arguments, environment: environment)
            case "migrate":
                return try MigrateCommand.run(arguments, environment: environment)
            case "backup":
                return try BackupCommand.run(arguments, environment: environment)
            case "help":
                writeOutput(usage)
                return 0
            default:
                printError("Unknown command '\(command)'.\n\n\(usage)")
                return 64
            }
        } catch let error as UsageError {
            printError("storefleet: \(error.message)")
            return 64
        } catch {
            printError("storefleet: \(error)")
            return 1
        }
    }

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// The data-folder and domain options shared by every command that opens the catalog.
    static let catalogOptions: [OptionSpec] = [
        OptionSpec("--data", env: "STOREFLEET_DATA", value: "DIR", default: "data",
                   help: "Folder for the catalog and store files."),
        OptionSpec("--domain", env: "STOREFLEET_DOMAIN", value: "NAME", default: "localhost",
                   help: "Platform domain; stores are served at SLUG.NAME."),
        OptionSpec("--public-url", env: "STOREFLEET_PUBLIC_URL", value: "URL", default: nil,
                   help: "Scheme and port shoppers use, for the URLs printed."),
        OptionSpec("--port", env: "STOREFLEET_PORT", value: "PORT", default: "8080",
                   help: "Server port, for the URLs printed when --public-url is not set."),
    ]
}

/// Writes to standard output at once, without stdio's buffering, so progress lines and the
/// server's start banner show up even when the output is a pipe.
func writeOutput(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
