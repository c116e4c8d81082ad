/// An item the API stores.
public struct Item: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var quantity: Int
}

/// What a client sends to create or replace an item.
public struct ItemInput: Codable, Sendable {
    public var name: String
    public var quantity: Int

    /// Why the input cannot be stored, or nil if it can.
    public var problem: String? {
        if name.allSatisfy(\.isWhitespace) { return "name: must not be empty" }
        if name.count > 100 { return "name: at most 100 characters" }
        if quantity < 0 { return "quantity: must not be negative" }
        return nil
    }
}
