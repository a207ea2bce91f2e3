import CSQLite
import Foundation

/// `search_fold(text)`, an SQL function on every connection that returns its argument
/// without letter case and accents ("Lucía Gómez" becomes "lucia gomez"), or NULL for NULL.
///
/// SQLite's LIKE ignores case for ASCII letters only (https://sqlite.org/lang_expr.html#like),
/// so a search for "lucia" misses "Lucía" and one for "LUCÍA" misses it too. Comparing
/// `search_fold(column) LIKE pattern`, with the pattern folded by `Database.foldForSearch`,
/// matches the way people type names.
extension Database {
    static let searchFoldFunctionName = "search_fold"

    /// Returns `text` folded as `search_fold` folds it, for building LIKE patterns.
    public static func foldForSearch(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
    }

    func registerSearchFolding() throws {
        // Deterministic, so SQLite may use it in indexes and constant folding; innocuous,
        // since it only reads its argument (https://sqlite.org/c3ref/c_deterministic.html).
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS
        let code = sqlite3_create_function_v2(
            connection.pointer, Self.searchFoldFunctionName, 1, flags, nil, searchFold, nil, nil, nil
        )
        guard code == SQLITE_OK else {
            throw SQLiteError(
                extendedResultCode: code,
                message: "registering the search_fold function failed: \(String(cString: sqlite3_errstr(code)))",
                path: path
            )
        }
    }
}

/// The C callback of `search_fold`. A plain function, because SQLite calls it through a C
/// function pointer, which cannot capture context.
private func searchFold(_ context: OpaquePointer?, _ argumentCount: Int32, _ arguments: UnsafeMutablePointer<OpaquePointer?>?) {
    guard argumentCount == 1, let argument = arguments?[0], sqlite3_value_type(argument) != SQLITE_NULL,
          let text = sqlite3_value_text(argument) else {
        sqlite3_result_null(context)
        return
    }
    let folded = Database.foldForSearch(String(cString: text))
    sqlite3_result_text(context, folded, -1, csqlite_transient())
}
