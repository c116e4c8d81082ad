/// Writes the one value of a frame, for types that encode as a primitive (enums with raw
/// values, wrappers, `Optional`).
struct JSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let state: JSONEncodingState
    let frame: Int
    let id: Int

    var codingPath: [any CodingKey] { state.codingPath(through: frame) }

    @inline(__always)
    private func begin() -> Bool { state.beginSingle(frame, id: id) }

    mutating func encodeNil() throws { if begin() { state.writeNull() } }
    mutating func encode(_ value: Bool) throws { if begin() { state.writeBool(value) } }
    mutating func encode(_ value: String) throws { if begin() { state.writeString(value) } }
    mutating func encode(_ value: Int) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: Int8) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: Int16) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: Int32) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: Int64) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: Int128) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt8) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt16) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt32) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { if begin() { state.writeInteger(value) } }
    mutating func encode(_ value: UInt128) throws { if begin() { state.writeInteger(value) } }

    mutating func encode(_ value: Double) throws {
        try state.requireFinite(value, path: codingPath)
        if begin() { state.writeFloatingPoint(value) }
    }

    mutating func encode(_ value: Float) throws {
        try state.requireFinite(value, path: codingPath)
        if begin() { state.writeFloatingPoint(value) }
    }

    /// The value encodes in this frame's place, so a wrapper around a struct yields the
    /// struct's object rather than a nested one.
    mutating func encode<T: Encodable>(_ value: T) throws {
        try state.encodeInPlace(value, frame: frame, id: id)
    }
}
