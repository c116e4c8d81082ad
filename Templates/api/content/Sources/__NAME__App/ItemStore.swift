import Synchronization

/// The items, in memory, safe to use from every request at once.
public final class ItemStore: Sendable {
    private struct State {
        var items: [Int: Item] = [:]
        var nextID = 1
    }

    private let state = Mutex(State())

    public init() {}

    public func all() -> [Item] {
        state.withLock { $0.items.values.sorted { $0.id < $1.id } }
    }

    public func item(_ id: Int) -> Item? {
        state.withLock { $0.items[id] }
    }

    public enum Failure: Error, Equatable { case notFound, duplicateName }

    /// Adds an item; names are unique (case-insensitively).
    public func create(_ input: ItemInput) -> Result<Item, Failure> {
        state.withLock { state in
            if state.items.values.contains(where: { $0.name.lowercased() == input.name.lowercased() }) { return .failure(.duplicateName) }
            let item = Item(id: state.nextID, name: input.name, quantity: input.quantity)
            state.items[item.id] = item
            state.nextID += 1
            return .success(item)
        }
    }

    public func update(_ id: Int, _ input: ItemInput) -> Result<Item, Failure> {
        state.withLock { state in
            guard state.items[id] != nil else { return .failure(.notFound) }
            if state.items.values.contains(where: { $0.id != id && $0.name.lowercased() == input.name.lowercased() }) {
                return .failure(.duplicateName)
            }
            let item = Item(id: id, name: input.name, quantity: input.quantity)
            state.items[id] = item
            return .success(item)
        }
    }

    public func delete(_ id: Int) -> Bool {
        state.withLock { $0.items.removeValue(forKey: id) != nil }
    }
}
