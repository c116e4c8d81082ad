/// Writes the elements of one JSON array straight into the output.
struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let state: JSONEncodingState
    let frame: Int
    let id: Int

    var codingPath: [any CodingKey] { state.codingPath(through: frame) }

    var count: Int { state.count(of: frame, id: id) }

    /// Closes any nested container still open, checks this one is usable, writes the
    /// separator; returns the new element's index.
    @inline(__always)
    private func begin() -> Int? {
        guard state.enter(frame, id: id, as: .array) else { return nil }
        return state.writeElementSeparator(in: frame)
    }

    private func path(_ index: Int) -> [any CodingKey] { codingPath + [JSONKey(index: index)] }

    mutating func encodeNil() throws { if begin() != nil { state.writeNull() } }
    mutating func encode(_ value: Bool) throws { if begin() != nil { state.writeBool(value) } }
    mutating func encode(_ value: String) throws { if begin() != nil { state.writeString(value) } }
    mutating func encode(_ value: Int) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: Int8) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: Int16) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: Int32) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: Int64) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: Int128) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt8) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt16) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt32) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt64) throws { if begin() != nil { state.writeInteger(value) } }
    mutating func encode(_ value: UInt128) throws { if begin() != nil { state.writeInteger(value) } }

    mutating func encode(_ value: Double) throws {
        try state.requireFinite(value, path: path(count))
        if begin() != nil { state.writeFloatingPoint(value) }
    }

    mutating func encode(_ value: Float) throws {
        try state.requireFinite(value, path: path(count))
        if begin() != nil { state.writeFloatingPoint(value) }
    }

    /// If the value throws, its element is taken out again (see `JSONEncodingState.rollBack`).
    mutating func encode<T: Encodable>(_ value: T) throws {
        guard state.enter(frame, id: id, as: .array) else { return }
        let mark = state.mark(frame)
        let index = state.writeElementSeparator(in: frame)
        do {
            try state.encodeValue(value, as: .index(index), in: frame)
        } catch {
            state.rollBack(to: mark, frame: frame, id: id)
            throw error
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = begin().map { state.push(.object, .index($0)) } ?? JSONValueEncoder(state: state, frame: frame, id: -1)
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(state: state, frame: nested.frame, id: nested.id))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = begin().map { state.push(.array, .index($0)) } ?? JSONValueEncoder(state: state, frame: frame, id: -1)
        return JSONUnkeyedEncodingContainer(state: state, frame: nested.frame, id: nested.id)
    }

    mutating func superEncoder() -> any Encoder {
        begin().map { state.push(.pending, .index($0)) } ?? JSONValueEncoder(state: state, frame: frame, id: -1)
    }
}
