/// Values a route template captured, by parameter name.
public struct RouteValues: Sequence {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init() {}

    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    public var isEmpty: Bool { pairs.isEmpty }

    mutating func append(_ name: String, _ value: String) { pairs.append((name, value)) }

    mutating func removeLast(_ count: Int) { pairs.removeLast(count) }

    mutating func removeAll() {
        if !pairs.isEmpty { pairs.removeAll(keepingCapacity: true) }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { pairs.makeIterator() }
}
