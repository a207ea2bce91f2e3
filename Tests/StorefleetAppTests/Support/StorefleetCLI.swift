import StorefleetApp

/// Runs `storefleet` commands in-process, with an empty environment so that `STOREFLEET_*`
/// variables of the machine running the tests cannot change them. Output goes to the test
/// run's standard output and error.
enum StorefleetCLI {
    static func run(_ arguments: [String]) -> Int32 {
        StorefleetCommand.run(arguments, environment: [:])
    }
}
