import Foundation
import HTTPServer
import StorefleetApp

// One malloc arena per default worker thread. With the pool cycling through 1,000 stores,
// peak RSS was 155 MB with glibc's default arenas, 122 MB with two and 135 MB with four.
// Two arenas for four workers cost 13 % more CPU time per page, and four do not
// (docs/benchmarks.md). `serve` applies its own worker count again.
MemoryTuning.limitMallocArenas()

let status = StorefleetCommand.run(Array(CommandLine.arguments.dropFirst()))

// `_exit` rather than `exit`: after a shutdown deadline, a worker thread may still be
// inside OpenSSL or SQLite, and `exit` would run those libraries' clean-up handlers under
// it (seen as a crash in libcrypto on Ctrl-C). Output is already written: the commands
// write to the file descriptors directly, without stdio buffers.
_exit(status)
