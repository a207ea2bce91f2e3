// An experiment, not part of Storefleet: an LD_PRELOAD library that sets
// SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE on every store connection (a path ending in
// /store.sqlite) that the server opens. Closing the last connection to a WAL database
// then leaves the WAL as it is, instead of copying its frames into the database with an
// fsync of each file (https://sqlite.org/c3ref/c_dbconfig_defensive.html). The frames
// reach the database file at the next automatic checkpoint (by default once the WAL
// contains 1,000 pages). Until then, the next open reads them to rebuild the wal-index.
//
// Build and use (benchmarks/stores.sh passes BENCH_SERVER_PRELOAD to the server only):
//   cc -shared -fPIC -O2 -o /tmp/no_checkpoint_on_close.so benchmarks/stores/experiments/no_checkpoint_on_close.c -ldl
//   BENCH_SERVER_PRELOAD=/tmp/no_checkpoint_on_close.so benchmarks/stores.sh
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stddef.h>
#include <string.h>

typedef int (*open_function)(const char *, sqlite3 **, int, const char *);

static int is_store_file(const char *filename) {
    static const char suffix[] = "/store.sqlite";
    size_t length = strlen(filename);
    return length >= sizeof suffix - 1 && strcmp(filename + length - (sizeof suffix - 1), suffix) == 0;
}

int sqlite3_open_v2(const char *filename, sqlite3 **database, int flags, const char *vfs) {
    static open_function real_open;
    if (real_open == NULL) {
        real_open = (open_function)dlsym(RTLD_NEXT, "sqlite3_open_v2");
    }
    int result = real_open(filename, database, flags, vfs);
    if (result == SQLITE_OK && *database != NULL && filename != NULL && is_store_file(filename)) {
        sqlite3_db_config(*database, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)NULL);
    }
    return result;
}
