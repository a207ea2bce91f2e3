import Glibc
import HTTPServer
import Synchronization
import Testing

/// A file with deterministic contents in a fresh temporary directory, removed on deinit.
final class TemporaryFile: Sendable {
    let path: String
    let bytes: [UInt8]

    init(size: Int) throws {
        var template = Array("/tmp/storefleet-http-test-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw TestClientError("mkstemp failed: errno \(errno)") }
        path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 31) ^ ($0 >> 8)) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == size else { throw TestClientError("writing \(path) failed") }
    }

    deinit {
        unlink(path)
    }
}

/// Counts the bytes a streaming handler has handed to its writer, and records how the
/// stream ended, so a test can observe backpressure and failures from outside.
final class StreamProbe: Sendable {
    let written = Atomic<Int>(0)
    let failure = Mutex<String?>(nil)
    let finished = Atomic<Bool>(false)

    var isFinished: Bool { finished.load(ordering: .relaxed) }
}

@Suite struct ServerStreamingTests {
    @Test func fileBodyIsSentInFull() throws {
        let file = try TemporaryFile(size: 3 * 1024 * 1024 + 17)
        try withServer(handler: { _ in
            Response(status: .ok, headers: ["Content-Type": "application/octet-stream"],
                     body: .file(path: file.path, offset: 0, length: file.bytes.count))
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Content-Length") == String(file.bytes.count))
            #expect(response.body == file.bytes)
            // Still usable afterwards: the length was exact.
            try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().body.count == file.bytes.count)
        }
    }

    @Test func fileRegionIsSent() throws {
        let file = try TemporaryFile(size: 100_000)
        try withServer(handler: { _ in
            Response(status: .ok, body: .file(path: file.path, offset: 1000, length: 5000))
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().body == Array(file.bytes[1000..<6000]))
            try client.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
            let head = try client.readResponse(headRequest: true)
            #expect(head.header("Content-Length") == "5000")
        }
    }

    @Test func missingFileGives404() throws {
        try withServer(handler: { _ in
            Response(status: .ok, body: .file(path: "/nonexistent/storefleet-test", offset: 0, length: 10))
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 404)
        }
    }

    @Test func fileRangePastEndGives500() throws {
        let file = try TemporaryFile(size: 10)
        try withServer(handler: { _ in
            Response(status: .ok, body: .file(path: file.path, offset: 5, length: 10))
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().status == 500)
        }
    }

    @Test func streamBodyIsChunkedOnHTTP11() throws {
        let piece = (0..<65_536).map { UInt8(truncatingIfNeeded: $0) }
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                for index in 0..<64 {
                    try writer.write(piece)
                    // Small pieces too, which the writer gathers into larger chunks.
                    try writer.write(Array("line \(index)\n".utf8))
                    try writer.write([])
                }
            })
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Transfer-Encoding") == "chunked")
            #expect(response.header("Content-Length") == nil)
            var expected: [UInt8] = []
            for index in 0..<64 {
                expected += piece
                expected += Array("line \(index)\n".utf8)
            }
            #expect(response.body.count == expected.count)
            #expect(response.body == expected)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().body.count == expected.count)
        }
    }

    @Test func streamBodyIsCloseDelimitedOnHTTP10() throws {
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                for _ in 0..<100 { try writer.write(Array(repeating: UInt8(ascii: "x"), count: 10_000)) }
            })
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.header("Connection") == "close")
            #expect(response.body.count == 1_000_000)
        }
    }

    @Test func headOnStreamDoesNotRunProducer() throws {
        let probe = StreamProbe()
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                probe.finished.store(true, ordering: .relaxed)
                try writer.write([1])
            })
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse(headRequest: true)
            #expect(response.header("Transfer-Encoding") == "chunked")
            try client.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            #expect(try client.readResponse().body == [1])
            #expect(probe.isFinished)
        }
    }

    @Test func streamErrorBeforeFirstByteGivesErrorResponse() throws {
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { _ in throw HTTPError(.conflict, "The cart changed.") })
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 409)
            #expect(response.text == "The cart changed.")
        }
    }

    @Test func streamErrorMidBodyClosesConnection() throws {
        struct Broken: Error {}
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                try writer.write(Array(repeating: 1, count: 100_000))
                throw Broken()
            })
        }) { server in
            let client = try TestClient(port: server.port)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            // The body ends without its last chunk, so the client cannot mistake it for whole.
            #expect(throws: TestClientError.self) { try client.readResponse() }
        }
    }

    @Test func streamWriteBlocksWhileClientDoesNotRead() throws {
        let probe = StreamProbe()
        // Larger than the kernel's socket buffers on both sides, even where tcp_wmem allows
        // 16 MiB, so the producer must wait for the reader.
        let total = 48 * 1024 * 1024
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                let piece = [UInt8](repeating: 7, count: 64 * 1024)
                while probe.written.load(ordering: .relaxed) < total {
                    try writer.write(piece)
                    probe.written.add(piece.count, ordering: .relaxed)
                }
                probe.finished.store(true, ordering: .relaxed)
            })
        }) { server in
            let client = try TestClient(port: server.port, timeout: .seconds(10))
            client.setReceiveBufferSize(64 * 1024)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            usleep(300_000)
            // With no reader the producer must be blocked in write, not racing through the
            // whole body into memory: its count stops moving.
            let writtenEarly = probe.written.load(ordering: .relaxed)
            usleep(200_000)
            let writtenLater = probe.written.load(ordering: .relaxed)
            #expect(writtenLater == writtenEarly, "kept writing with no reader: \(writtenEarly) then \(writtenLater)")
            #expect(writtenLater < total, "wrote \(writtenLater) bytes with no reader")
            #expect(!probe.isFinished)

            let response = try client.readResponse()
            #expect(response.body.count == total)
            #expect(probe.isFinished)
        }
    }

    @Test func streamWriteThrowsWhenClientLeaves() throws {
        let probe = StreamProbe()
        try withServer(handler: { _ in
            Response(status: .ok, body: .stream { writer in
                let piece = [UInt8](repeating: 7, count: 64 * 1024)
                do {
                    for _ in 0..<10_000 {
                        try writer.write(piece)
                    }
                } catch {
                    probe.failure.withLock { $0 = String(describing: error) }
                    throw error
                }
            })
        }) { server in
            do {
                let client = try TestClient(port: server.port)
                client.setReceiveBufferSize(16 * 1024)
                try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
                usleep(100_000)
            }
            // The client is gone (closed on deinit); the next write must fail.
            var failure: String?
            for _ in 0..<200 where failure == nil {
                usleep(10_000)
                failure = probe.failure.withLock { $0 }
            }
            #expect(failure?.contains("connection closed") == true, "failure: \(failure ?? "none")")
        }
    }

    @Test func largeBytesBodyIsFinishedByLoop() throws {
        let body = (0..<8_000_000).map { UInt8(truncatingIfNeeded: $0 / 3) }
        try withServer(handler: { _ in Response(status: .ok, body: .bytes(body)) }) { server in
            let client = try TestClient(port: server.port, timeout: .seconds(10))
            client.setReceiveBufferSize(32 * 1024)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            usleep(100_000)
            let response = try client.readResponse()
            #expect(response.body == body)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            #expect(try client.readResponse().body.count == body.count)
        }
    }

    @Test func writeTimeoutDropsClientThatNeverReads() throws {
        let capture = LogCapture()
        let body = [UInt8](repeating: 1, count: 32 * 1024 * 1024)
        try withServer(logger: capture.logger, configure: { $0.writeTimeout = .milliseconds(300) },
                       handler: { _ in Response(status: .ok, body: .bytes(body)) }) { server in
            let client = try TestClient(port: server.port, timeout: .seconds(10))
            client.setReceiveBufferSize(16 * 1024)
            try client.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
            usleep(1_200_000)
            let received = (try? client.readUntilClose()) ?? []
            #expect(received.count < body.count)
        }
    }
}
