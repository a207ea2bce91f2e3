@testable import HTTPServer
import Glibc
import Synchronization
import Testing

@Suite struct LoggerTests {
    func capture(_ minimumLevel: Logger.Level = .debug) -> (Logger, Mutex<[String]>.Box) {
        let lines = Mutex<[String]>.Box()
        let logger = Logger(
            minimumLevel: minimumLevel,
            output: .lines { line in lines.value.withLock { $0.append(line) } },
            includesTimestamp: false)
        return (logger, lines)
    }

    @Test func lineHasLevelEventAndFieldsInOrder() {
        let (logger, lines) = capture()
        logger.info("request", ["request_id": "abc123", "status": 200, "duration_ms": 1.5])
        #expect(lines.all == ["level=info event=request request_id=abc123 status=200 duration_ms=1.5"])
    }

    @Test func valuesWithSpacesOrQuotesAreQuoted() {
        let (logger, lines) = capture()
        logger.warning("note", [
            "plain": "a-b", "spaced": "two words", "quoted": "say \"hi\"", "empty": "",
            "newline": "one\ntwo", "equals": "a=b", "backslash": "c:\\x",
        ])
        #expect(lines.all == [
            #"level=warning event=note plain=a-b spaced="two words" quoted="say \"hi\"" empty="" "#
                + #"newline="one\ntwo" equals="a=b" backslash="c:\\x""#,
        ])
    }

    @Test func controlCharactersAreEscaped() {
        let (logger, lines) = capture()
        logger.error("bad", ["value": "a\u{01}b\rc"])
        #expect(lines.all == [#"level=error event=bad value="a\x01b\rc""#])
    }

    @Test func keysKeepOnlySafeCharacters() {
        let (logger, lines) = capture()
        logger.info("x", ["store id": "7", "=": "8", "ok.key-1_2": "9"])
        #expect(lines.all == ["level=info event=x storeid=7 _=8 ok.key-1_2=9"])
    }

    @Test func linesBelowMinimumAreDropped() {
        let (logger, lines) = capture(.warning)
        logger.debug("a")
        logger.info("b")
        logger.warning("c")
        logger.error("d")
        #expect(lines.all == ["level=warning event=c", "level=error event=d"])
        #expect(!logger.isEnabled(.info))
    }

    @Test func metadataIsAddedToEveryLine() {
        let (logger, lines) = capture()
        let storeLogger = logger.with("store_id", "s-42").with("request_id", "r 1")
        storeLogger.info("order_placed", ["order": 9])
        logger.info("plain")
        #expect(lines.all == [
            #"level=info event=order_placed store_id=s-42 request_id="r 1" order=9"#,
            "level=info event=plain",
        ])
    }

    @Test func timestampIsISO8601UTC() {
        let lines = Mutex<[String]>.Box()
        let logger = Logger(output: .lines { line in lines.value.withLock { $0.append(line) } })
        logger.info("tick")
        let line = lines.all.first ?? ""
        // ts=2025-01-31T09:15:02.417Z
        #expect(line.hasPrefix("ts="))
        let stamp = line.dropFirst(3).prefix(while: { $0 != " " })
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        #expect(stamp.dropFirst(10).first == "T")
        #expect(line.hasSuffix(" level=info event=tick"))
    }

    @Test func fileDescriptorOutputWritesWholeLines() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        let logger = Logger(output: .fileDescriptor(descriptors[1]), includesTimestamp: false)
        logger.info("one", ["k": "v"])
        logger.info("two")
        close(descriptors[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptors[0], $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        close(descriptors[0])
        #expect(String(decoding: bytes, as: UTF8.self) == "level=info event=one k=v\nlevel=info event=two\n")
    }

    @Test func levelNamesParse() {
        #expect(Logger.Level(name: "WARN") == .warning)
        #expect(Logger.Level(name: "debug") == .debug)
        #expect(Logger.Level(name: "loud") == nil)
    }

    @Test func rateLimiterAdmitsOncePerInterval() {
        let limiter = LogRateLimiter(interval: .milliseconds(200))
        #expect(limiter.admit() == 0)
        #expect(limiter.admit() == nil)
        #expect(limiter.admit() == nil)
        usleep(250_000)
        #expect(limiter.admit() == 2)
    }
}

extension Mutex where Value == [String] {
    final class Box: Sendable {
        let value = Mutex<[String]>([])
        var all: [String] { value.withLock { $0 } }
    }
}
