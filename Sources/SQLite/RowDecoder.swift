import Foundation

extension Row {
    /// Decodes the row into `type`, matching each coding key to the column of that name.
    ///
    /// Properties of a type that adopts ``SQLValueConvertible`` (`Int`, `String`, `Date`,
    /// `[UInt8]`, `Data`, …) use that conversion, so dates read from SQLite's text form.
    /// Other single-value types, such as enums with a raw value, decode from the column's
    /// value. An optional property reads NULL, or a missing column, as nil; a non-optional
    /// one throws ``RowDecodingError`` naming the column.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try T(from: RowDecoder(row: self))
    }
}

// MARK: - Row as a keyed container

/// A `Decoder` over a whole row: the keyed container maps coding keys to column names. A
/// single-value container is offered for one-column rows, so `row.decode(Int.self)` works.
private struct RowDecoder: Decoder {
    let row: Row
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(RowKeyedContainer<Key>(row: row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw RowDecodingError(kind: .unsupportedStructure("an unkeyed container (an array)"), column: "*", expectedType: [Any].self, row: row)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        guard row.count == 1 else {
            throw RowDecodingError(
                kind: .unsupportedStructure("exactly one column, but the row has \(row.count)"),
                column: "*",
                expectedType: Any.self,
                row: row
            )
        }
        return ColumnDecoder(row: row, column: row.columnNames[0], value: row.values[0], codingPath: [])
    }
}

private struct RowKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let row: Row
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] { row.columnNames.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        row.index(ofColumn: key.stringValue) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        try value(for: key, expecting: Any?.self).isNull
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decodeValue(type, forKey: key)
    }

    private func decodeValue<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        let value = try value(for: key, expecting: T.self)
        let column = key.stringValue
        if let convertible = T.self as? any SQLValueConvertible.Type {
            return try row.convert(value, column: column, to: convertible) as! T
        }
        return try T(from: ColumnDecoder(row: row, column: column, value: value, codingPath: [key]))
    }

    // The primitive requirements go through decodeValue like every other type.
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decodeValue(Bool.self, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decodeValue(String.self, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decodeValue(Double.self, forKey: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decodeValue(Float.self, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decodeValue(Int.self, forKey: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decodeValue(Int8.self, forKey: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decodeValue(Int16.self, forKey: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decodeValue(Int32.self, forKey: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decodeValue(Int64.self, forKey: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decodeValue(UInt.self, forKey: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decodeValue(UInt8.self, forKey: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decodeValue(UInt16.self, forKey: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decodeValue(UInt32.self, forKey: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decodeValue(UInt64.self, forKey: key) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        throw RowDecodingError(kind: .unsupportedStructure("a keyed container"), column: key.stringValue, expectedType: NestedKey.self, row: row)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw RowDecodingError(kind: .unsupportedStructure("an unkeyed container (an array)"), column: key.stringValue, expectedType: [Any].self, row: row)
    }

    func superDecoder() throws -> any Decoder {
        RowDecoder(row: row)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        RowDecoder(row: row)
    }

    private func value(for key: Key, expecting type: Any.Type) throws -> SQLValue {
        guard let value = row[key.stringValue] else {
            throw RowDecodingError(kind: .columnNotFound, column: key.stringValue, expectedType: type, row: row)
        }
        return value
    }
}

// MARK: - One column as a single value

/// A `Decoder` over one column's value, for types that decode through a single-value
/// container (enums with raw values, wrappers around one primitive).
private struct ColumnDecoder: Decoder, SingleValueDecodingContainer {
    let row: Row
    let column: String
    let value: SQLValue
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw RowDecodingError(kind: .unsupportedStructure("a keyed container"), column: column, expectedType: Key.self, row: row)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw RowDecodingError(kind: .unsupportedStructure("an unkeyed container (an array)"), column: column, expectedType: [Any].self, row: row)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value.isNull }

    func decode(_ type: Bool.Type) throws -> Bool { try convert(Bool.self) }
    func decode(_ type: String.Type) throws -> String { try convert(String.self) }
    func decode(_ type: Double.Type) throws -> Double { try convert(Double.self) }
    func decode(_ type: Float.Type) throws -> Float { Float(try convert(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try convert(Int.self) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(Int8.self) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(Int16.self) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(Int32.self) }
    func decode(_ type: Int64.Type) throws -> Int64 { try convert(Int64.self) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(UInt.self) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(UInt8.self) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(UInt16.self) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(UInt32.self) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(UInt64.self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let convertible = T.self as? any SQLValueConvertible.Type {
            return try row.convert(value, column: column, to: convertible) as! T
        }
        return try T(from: self)
    }

    private func convert<T: SQLValueConvertible>(_ type: T.Type) throws -> T {
        try row.convert(value, column: column, to: T.self)
    }

    /// Reads a fixed-width integer through Int64, with a range check naming the column.
    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let wide = try convert(Int64.self)
        guard let narrow = T(exactly: wide) else {
            throw RowDecodingError(kind: .typeMismatch(storageClass: value.storageClass, reason: "out of range"), column: column, expectedType: T.self, row: row)
        }
        return narrow
    }
}
