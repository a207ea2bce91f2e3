// An experiment, not part of Storefleet: an LD_PRELOAD library that turns on
// SQLITE_FCNTL_PERSIST_WAL for every connection the server opens, so that closing the
// last connection to a store leaves its -wal and -shm files in place instead of deleting
// them (https://sqlite.org/c3ref/c_fcntl_begin_atomic_write.html#sqlitefcntlpersistwal).
// The next open of that store then finds both files and creates no inode.
//
// Build and use (benchmarks/stores.sh passes BENCH_SERVER_PRELOAD to the server only):
//   cc -shared -fPIC -O2 -o /tmp/persist_wal.so benchmarks/stores/experiments/persist_wal.c -ldl
//   BENCH_SERVER_PRELOAD=/tmp/persist_wal.so benchmarks/stores.sh
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stddef.h>

typedef int (*open_function)(const char *, sqlite3 **, int, const char *);

int sqlite3_open_v2(const char *filename, sqlite3 **database, int flags, const char *vfs) {
    static open_function real_open;
    if (real_open == NULL) {
        real_open = (open_function)dlsym(RTLD_NEXT, "sqlite3_open_v2");
    }
    int result = real_open(filename, database, flags, vfs);
    if (result == SQLITE_OK && *database != NULL) {
        // The main database file is open once sqlite3_open_v2 returns, so the flag
        // reaches the file that the WAL code asks when the connection closes.
        int persist = 1;
        sqlite3_file_control(*database, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    return result;
}
