// An experiment, not part of Storefleet: an LD_PRELOAD library that turns off SQLite's
// memory statistics before the server's first SQLite call. With statistics on (the
// default unless SQLite is built with SQLITE_DEFAULT_MEMSTATUS=0, and Debian's
// libsqlite3 is not), every sqlite3_malloc and sqlite3_free takes one process-wide mutex
// (https://sqlite.org/c3ref/c_config_covering_index_scan.html#sqliteconfigmemstatus),
// which the worker threads then contend for while they parse store schemas.
//
// Build and use (benchmarks/stores.sh passes BENCH_SERVER_PRELOAD to the server only;
// several libraries are separated by colons):
//   cc -shared -fPIC -O2 -o /tmp/memstatus_off.so benchmarks/stores/experiments/memstatus_off.c
//   BENCH_SERVER_PRELOAD=/tmp/memstatus_off.so benchmarks/stores.sh
#include <sqlite3.h>
#include <stdio.h>

// sqlite3_config must run before sqlite3_initialize, which the first sqlite3_open_v2
// calls. A constructor of a preloaded library runs before the program's main.
__attribute__((constructor)) static void turn_off_memory_statistics(void) {
    int result = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (result != SQLITE_OK) {
        fprintf(stderr, "memstatus_off: sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) failed with %d\n", result);
    }
}
