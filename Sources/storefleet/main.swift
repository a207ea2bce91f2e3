import Foundation
import HTTPServer
import StorefleetApp

// Measured with the pool cycling through 1,000 stores: peak RSS 155 MB with glibc's default
// arenas and 122 MB with two, at the same CPU time per request (docs/benchmarks.md).
MemoryTuning.limitMallocArenasToCores()

let status = StorefleetCommand.run(Array(CommandLine.arguments.dropFirst()))

// `_exit` rather than `exit`: after a shutdown deadline, a worker thread may still be
// inside OpenSSL or SQLite, and `exit` would run those libraries' clean-up handlers under
// it (seen as a crash in libcrypto on Ctrl-C). Output is already written: the commands
// write to the file descriptors directly, without stdio buffers.
_exit(status)
