import Foundation
import Testing
@testable import SQLite

@Suite struct SearchFoldingTests {
    @Test(arguments: [
        ("Lucía Gómez", "lucia gomez"), ("ÅNGSTRÖM", "angstrom"), ("Crème Brûlée", "creme brulee"),
        ("plain ascii 42", "plain ascii 42"), ("", ""), ("ＡＢＣ", "abc"),
    ])
    func foldsCaseAndAccents(input: String, expected: String) throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            #expect(try database.scalar("SELECT search_fold(?)", input, as: String.self) == expected)
            #expect(Database.foldForSearch(input) == expected)
        }
    }

    @Test func nullStaysNull() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            #expect(try database.scalar("SELECT search_fold(NULL) IS NULL", as: Int.self) == 1)
        }
    }

    @Test func wrongArgumentCountIsAnError() throws {
        try withTemporaryDirectory { directory in
            let database = try openDatabase(directory)
            #expect(throws: SQLiteError.self) { try database.scalar("SELECT search_fold('a', 'b')", as: String.self) }
        }
    }

    @Test func everyConnectionHasIt() throws {
        try withTemporaryDirectory { directory in
            _ = try openDatabase(directory)
            let readOnly = try openDatabase(directory, configuration: .init(accessMode: .readOnly))
            #expect(try readOnly.scalar("SELECT search_fold('Ñandú')", as: String.self) == "nandu")
        }
    }
}
