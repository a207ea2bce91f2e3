import Foundation

/// A fresh folder under the system's temporary directory, removed when released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mail-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var path: String { url.path }

    func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }
}

/// A failure in setting up a test's environment, with what to do about it.
struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a command to completion and returns its exit status and combined output.
@discardableResult
func runCommand(_ arguments: [String], in folder: URL? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let folder {
        process.currentDirectoryURL = folder
    }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A self-signed certificate and its key, made with the `openssl` command for one test.
struct TestCertificate {
    let certificatePath: String
    let keyPath: String

    /// Creates a P-256 certificate for `dnsName`, valid for one day, with the name as both
    /// common name and subject alternative name (which hostname checks use).
    init(dnsName: String, in folder: TemporaryFolder) throws {
        certificatePath = folder.file("\(dnsName)-certificate.pem").path
        keyPath = folder.file("\(dnsName)-key.pem").path
        let result = try runCommand([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-subj", "/CN=\(dnsName)", "-addext", "subjectAltName=DNS:\(dnsName)", "-days", "1",
            "-keyout", keyPath, "-out", certificatePath,
        ])
        guard result.status == 0 else {
            throw TestSetupError("openssl req failed with status \(result.status): \(result.output). The SMTP tests need the openssl command.")
        }
    }
}
