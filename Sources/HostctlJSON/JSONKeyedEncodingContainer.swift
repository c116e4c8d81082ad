/// Writes the members of one JSON object straight into the output: `"key":` and then the value.
struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let state: JSONEncodingState
    let frame: Int
    let id: Int

    var codingPath: [any CodingKey] { state.codingPath(through: frame) }

    /// Closes any nested container still open, checks this one is usable, writes the key.
    @inline(__always)
    private func begin(_ key: Key) -> Bool {
        guard state.enter(frame, id: id, as: .object) else { return false }
        state.writeKey(key.stringValue, in: frame)
        return true
    }

    mutating func encodeNil(forKey key: Key) throws { if begin(key) { state.writeNull() } }
    mutating func encode(_ value: Bool, forKey key: Key) throws { if begin(key) { state.writeBool(value) } }
    mutating func encode(_ value: String, forKey key: Key) throws { if begin(key) { state.writeString(value) } }
    mutating func encode(_ value: Int, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: Int8, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: Int16, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: Int32, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: Int64, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: Int128, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { if begin(key) { state.writeInteger(value) } }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        try state.requireFinite(value, path: codingPath + [key])
        if begin(key) { state.writeFloatingPoint(value) }
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        try state.requireFinite(value, path: codingPath + [key])
        if begin(key) { state.writeFloatingPoint(value) }
    }

    /// If the value throws, its member is taken out again (see `JSONEncodingState.rollBack`).
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        guard state.enter(frame, id: id, as: .object) else { return }
        let mark = state.mark(frame)
        state.writeKey(key.stringValue, in: frame)
        do {
            try state.encodeValue(value, as: .key(key), in: frame)
        } catch {
            state.rollBack(to: mark, frame: frame, id: id)
            throw error
        }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        // A failed begin has recorded the failure; the dead container (id -1) writes nothing.
        let nested = begin(key) ? state.push(.object, .key(key)) : JSONValueEncoder(state: state, frame: frame, id: -1)
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(state: state, frame: nested.frame, id: nested.id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = begin(key) ? state.push(.array, .key(key)) : JSONValueEncoder(state: state, frame: frame, id: -1)
        return JSONUnkeyedEncodingContainer(state: state, frame: nested.frame, id: nested.id)
    }

    /// The superclass's value goes under "super"; what it writes is closed, or `{}` if it
    /// wrote nothing, when this object is next written to or finished.
    mutating func superEncoder() -> any Encoder {
        guard state.enter(frame, id: id, as: .object) else { return JSONValueEncoder(state: state, frame: frame, id: -1) }
        state.writeKey(JSONKey.super.stringValue, in: frame)
        return state.push(.pending, .key(JSONKey.super))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        guard begin(key) else { return JSONValueEncoder(state: state, frame: frame, id: -1) }
        return state.push(.pending, .key(key))
    }
}
