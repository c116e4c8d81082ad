/// The `Encoder` handed to a value's `encode(to:)`: a view of one frame of the shared
/// state. Small enough to sit in an existential without allocating.
struct JSONValueEncoder: Encoder {
    let state: JSONEncodingState
    let frame: Int
    let id: Int

    var codingPath: [any CodingKey] { state.codingPath(through: frame) }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        state.open(.object, frame: frame, id: id)
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(state: state, frame: frame, id: id))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        state.open(.array, frame: frame, id: id)
        return JSONUnkeyedEncodingContainer(state: state, frame: frame, id: id)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncodingContainer(state: state, frame: frame, id: id)
    }
}
