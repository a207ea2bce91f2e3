import Foundation

/// One option of a command: a `--flag`, the `STOREFLEET_*` variable behind it, and its help.
public struct OptionSpec: Sendable {
    public let flag: String
    public let environmentVariable: String?
    public let valueName: String?
    public let defaultValue: String?
    public let help: String

    /// Creates an option that takes a value, such as `--port 8080`.
    public init(_ flag: String, env: String? = nil, value: String, default defaultValue: String?, help: String) {
        self.flag = flag
        self.environmentVariable = env
        self.valueName = value
        self.defaultValue = defaultValue
        self.help = help
    }

    /// Creates a switch with no value, such as `--dev`. Its variable turns it on with `1`
    /// or `true`.
    public init(switch flag: String, env: String? = nil, help: String) {
        self.flag = flag
        self.environmentVariable = env
        self.valueName = nil
        self.defaultValue = nil
        self.help = help
    }

    var isSwitch: Bool { valueName == nil }
}

/// An error in the command line or environment, printed with the command's usage.
public struct UsageError: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// Options parsed from a command line, with `STOREFLEET_*` variables under the flags and the
/// specs' defaults under both.
public struct ParsedOptions: Sendable {
    private let values: [String: String]
    private let switches: Set<String>
    public let positional: [String]

    /// Parses `arguments` (without the command words) against `specs`.
    public init(_ arguments: [String], specs: [OptionSpec], environment: [String: String]) throws {
        var values: [String: String] = [:]
        var switches: Set<String> = []
        var positional: [String] = []

        for spec in specs {
            guard let variable = spec.environmentVariable, let text = environment[variable] else {
                if let defaultValue = spec.defaultValue { values[spec.flag] = defaultValue }
                continue
            }
            if spec.isSwitch {
                if ["1", "true", "yes", "on"].contains(text.lowercased()) { switches.insert(spec.flag) }
            } else {
                values[spec.flag] = text
            }
        }

        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                positional.append(argument)
                continue
            }
            var flag = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                flag = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let spec = specs.first(where: { $0.flag == flag }) else {
                throw UsageError("Unknown option \(flag). Run with --help to list the options.")
            }
            if spec.isSwitch {
                guard inlineValue == nil else {
                    throw UsageError("Option \(flag) takes no value.")
                }
                switches.insert(flag)
                continue
            }
            if let inlineValue {
                values[flag] = inlineValue
            } else if index < arguments.count {
                values[flag] = arguments[index]
                index += 1
            } else {
                throw UsageError("Option \(flag) needs a value (\(spec.valueName ?? "VALUE")).")
            }
        }

        self.values = values
        self.switches = switches
        self.positional = positional
    }

    public subscript(flag: String) -> String? {
        values[flag]
    }

    public func isSet(_ flag: String) -> Bool {
        switches.contains(flag)
    }

    /// Returns the value as an integer within `range`, or throws a usage error naming the
    /// option.
    public func integer(_ flag: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[flag] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw UsageError("Option \(flag) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text)'.")
        }
        return value
    }

    /// Returns the value as a number of seconds within `range`, or throws a usage error
    /// naming the option.
    public func seconds(_ flag: String, in range: ClosedRange<Double>) throws -> Double? {
        guard let text = values[flag] else { return nil }
        guard let value = Double(text), range.contains(value) else {
            throw UsageError("Option \(flag) must be a number of seconds from \(range.lowerBound) to \(range.upperBound), not '\(text)'.")
        }
        return value
    }

    public func required(_ flag: String) throws -> String {
        guard let value = values[flag], !value.isEmpty else {
            throw UsageError("Option \(flag) is required.")
        }
        return value
    }
}

/// Formats the help text of a command: its usage line, then one line per option with its
/// variable and default.
public func helpText(usage: String, summary: String, specs: [OptionSpec]) -> String {
    var lines = ["Usage: \(usage)", "", summary, "", "Options:"]
    for spec in specs {
        let left = spec.valueName.map { "\(spec.flag) \($0)" } ?? spec.flag
        lines.append("  \(left)")
        var detail = "      \(spec.help)"
        if let variable = spec.environmentVariable { detail += " [env: \(variable)]" }
        if let defaultValue = spec.defaultValue { detail += " [default: \(defaultValue)]" }
        lines.append(detail)
    }
    lines.append("  --help")
    lines.append("      Prints this help and exits.")
    return lines.joined(separator: "\n")
}
