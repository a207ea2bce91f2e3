#include <sqlite3.h>

// SQLITE_TRANSIENT is a macro that casts -1 to a function pointer, which Swift cannot
// import; this constant gives Swift the same value.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic, which Swift cannot call; this wraps the call Storefleet makes.

// Sets the connection's lookaside allocator: `count` slots of `slotSize` bytes.
static inline int csqlite_set_lookaside(sqlite3 *db, int slotSize, int count) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, slotSize, count);
}

// sqlite3_config is variadic as well. Turns off SQLite's memory statistics; valid only
// before sqlite3_initialize (or after sqlite3_shutdown), and returns SQLITE_MISUSE otherwise.
static inline int csqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
