// An experiment, not part of Storefleet: an LD_PRELOAD library that keeps SQLite's
// statement and savepoint journals in memory whatever their size.
//
// Checkout.placeOrder opens its transaction inside the one DatabaseQueue.write already
// opened, so it runs as a SAVEPOINT. While a savepoint is open, SQLite copies every page
// that the transaction changes for the first time into a sub-journal, so that ROLLBACK TO
// can restore it. The sub-journal stays in memory up to SQLITE_CONFIG_STMTJRNL_SPILL bytes
// (64 KiB by default) and then moves to a temporary file that is created in /var/tmp and
// deleted again: once per placed order here. A negative limit keeps it in memory
// (https://sqlite.org/c3ref/c_config_covering_index_scan.html#sqliteconfigstmtjrnlspill).
//
// Build and use (benchmarks/checkouts.sh passes BENCH_SERVER_PRELOAD to the server only):
//   cc -shared -fPIC -O2 -o /tmp/statement_journal_in_memory.so \
//       benchmarks/checkout/experiments/statement_journal_in_memory.c -lsqlite3
//   BENCH_SERVER_PRELOAD=/tmp/statement_journal_in_memory.so benchmarks/checkouts.sh
#include <sqlite3.h>
#include <stdio.h>

// sqlite3_config must run before sqlite3_initialize, which the first sqlite3_open_v2
// calls. A constructor of a preloaded library runs before the program's main.
__attribute__((constructor)) static void keep_statement_journals_in_memory(void) {
    int result = sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
    if (result != SQLITE_OK) {
        fprintf(stderr, "statement_journal_in_memory: sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1) failed with %d\n", result);
    }
}
