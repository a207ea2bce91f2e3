import Foundation
import Synchronization
import Testing
@testable import Templates

/// Runs `body(threadIndex)` on `count` threads at once and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        let thread = Thread {
            body(index)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

@Suite struct ConcurrencyTests {
    @Test func concurrentRendersAreIdentical() throws {
        let library = try TemplateLibrary(root: fixturesRoot)
        let context = storeContext(productCount: 40)
        let expected = try library.renderBytes("store/home", context, translator: englishTranslator)
        let results = Mutex<(matching: Int, other: [String])>((0, []))

        runOnThreads(8) { _ in
            for _ in 0..<50 {
                do {
                    let bytes = try library.renderBytes("store/home", context, translator: englishTranslator)
                    results.withLock { bytes == expected ? ($0.matching += 1) : $0.other.append("different output") }
                } catch {
                    results.withLock { $0.other.append("\(error)") }
                }
            }
        }

        let (matching, other) = results.withLock { $0 }
        #expect(other == [])
        #expect(matching == 400)
    }

    @Test func reloadWhileRendering() throws {
        let folder = try TemplateFolder(["page": "[{{> part }}]", "part": "v0"])
        let library = try folder.library(reloadOnChange: true)
        let versions = (0..<20).map { "v" + String(repeating: "x", count: $0) }
        let allowed = Set((["v0"] + versions).map { "[\($0)]" })
        let unexpected = Mutex<[String]>([])
        let writing = Atomic<Bool>(true)

        runOnThreads(5) { index in
            if index == 0 {
                for version in versions {
                    try? folder.write("part", version)
                    Thread.sleep(forTimeInterval: 0.002)
                }
                writing.store(false, ordering: .releasing)
                return
            }
            while writing.load(ordering: .acquiring) {
                do {
                    let html = try library.render("page", [:])
                    if !allowed.contains(html) {
                        unexpected.withLock { $0.append(html) }
                    }
                } catch {
                    unexpected.withLock { $0.append("\(error)") }
                }
            }
        }

        #expect(unexpected.withLock { $0 } == [])
        #expect(try library.render("page", [:]) == "[\(versions.last!)]")
    }
}

extension TemplateFolder: @unchecked Sendable {
    // Safe: `path` is immutable and the file system calls it makes may run on any thread.
}
