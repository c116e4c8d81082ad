import HostctlCore

/// Matches a path and method to a handler through a tree of template segments.
///
/// Literal children are tried before a parameter, a parameter before a catch-all, so
/// `/users/me` wins over `/users/{id}` whatever the registration order. A path that
/// matches a template but not its methods is a 405 with `Allow`; HEAD falls back to GET.
public final class Router: @unchecked Sendable {
    public typealias Handler = RequestHandler

    final class Node {
        @exclusivity(unchecked) var literals: [(key: [UInt8], node: Node)] = []
        /// Parameter children in registration order; constrained ones are tried first.
        @exclusivity(unchecked) var parameters: [(name: String, constraint: RouteTemplate.Constraint?, node: Node)] = []
        @exclusivity(unchecked) var catchAll: (name: String, endpoints: Endpoints)?
        @exclusivity(unchecked) var endpoints = Endpoints()
    }

    struct Endpoints {
        var byMethod: [(method: HTTPMethod, handler: HandlerBox)] = []
        var anyMethod: HandlerBox?
        var isEmpty: Bool { byMethod.isEmpty && anyMethod == nil }

        func handler(for method: HTTPMethod) -> HandlerBox? {
            if let found = byMethod.first(where: { $0.method == method }) { return found.handler }
            if method == .head, let get = byMethod.first(where: { $0.method == .get }) { return get.handler }
            return anyMethod
        }

        var allowed: [HTTPMethod] {
            var methods = byMethod.map(\.method)
            if methods.contains(.get), !methods.contains(.head) { methods.append(.head) }
            return methods
        }
    }

    public enum Match {
        case handler(HandlerBox)
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private let root = Node()
    @exclusivity(unchecked) public private(set) var isEmpty = true

    public init() {}

    /// Adds a route; `methods` nil matches every method.
    public func add(_ template: RouteTemplate, methods: [HTTPMethod]?, handler: @escaping Handler) {
        isEmpty = false
        var node = root
        for (index, segment) in template.segments.enumerated() {
            switch segment {
            case .literal(let text):
                let key = text.utf8.map(ASCII.lowercase)
                if let existing = node.literals.first(where: { $0.key == key }) {
                    node = existing.node
                } else {
                    let child = Node()
                    node.literals.append((key, child))
                    node = child
                }
            case .parameter(let name, let constraint, let optional):
                if optional { Self.register(&node.endpoints, methods: methods, handler: handler) }
                if let existing = node.parameters.first(where: { $0.name == name && $0.constraint == constraint }) {
                    node = existing.node
                } else {
                    let child = Node()
                    node.parameters.append((name, constraint, child))
                    node.parameters.sort { ($0.constraint == nil ? 1 : 0) < ($1.constraint == nil ? 1 : 0) }
                    node = child
                }
            case .catchAll(let name):
                precondition(index == template.segments.count - 1)
                if node.catchAll == nil { node.catchAll = (name, Endpoints()) }
                Self.register(&node.catchAll!.endpoints, methods: methods, handler: handler)
                return
            }
        }
        Self.register(&node.endpoints, methods: methods, handler: handler)
    }

    private static func register(_ endpoints: inout Endpoints, methods: [HTTPMethod]?, handler: @escaping Handler) {
        let box = HandlerBox(handler)
        guard let methods else {
            endpoints.anyMethod = box
            return
        }
        for method in methods {
            endpoints.byMethod.removeAll { $0.method == method }
            endpoints.byMethod.append((method, box))
        }
    }

    /// Finds the handler for `path`, appending captured values to `values`.
    public func match(path: String, method: HTTPMethod, values: inout RouteValues) -> Match {
        var path = path
        return path.withUTF8 { bytes in
            var found: Endpoints?
            _ = walk(root, bytes, position: 0, values: &values, found: &found)
            guard let endpoints = found else { return .notFound }
            if let box = endpoints.handler(for: method) { return .handler(box) }
            return .methodNotAllowed(allowed: endpoints.allowed)
        }
    }

    /// Depth-first search; returns true once endpoints were found (stored in `found`).
    private func walk(_ node: Node, _ path: UnsafeBufferPointer<UInt8>, position: Int, values: inout RouteValues, found: inout Endpoints?) -> Bool {
        var start = position
        while start < path.count, path[start] == UInt8(ascii: "/") { start += 1 }
        if start >= path.count {
            if !node.endpoints.isEmpty {
                found = node.endpoints
                return true
            }
            if let catchAll = node.catchAll {
                values.append(catchAll.name, "")
                found = catchAll.endpoints
                return true
            }
            return false
        }
        var end = start
        while end < path.count, path[end] != UInt8(ascii: "/") { end += 1 }
        let segment = UnsafeBufferPointer(rebasing: path[start..<end])

        for (key, child) in node.literals where key.count == segment.count {
            var equal = true
            for i in 0..<key.count where ASCII.lowercase(segment[i]) != key[i] {
                equal = false
                break
            }
            if equal, walk(child, path, position: end, values: &values, found: &found) { return true }
        }
        if !node.parameters.isEmpty {
            let text = String(decoding: segment, as: UTF8.self)
            for parameter in node.parameters where parameter.constraint?.accepts(Substring(text)) ?? true {
                values.append(parameter.name, text)
                if walk(parameter.node, path, position: end, values: &values, found: &found) { return true }
                values.removeLast(1)
            }
        }
        if let catchAll = node.catchAll {
            values.append(catchAll.name, String(decoding: UnsafeBufferPointer(rebasing: path[start...]), as: UTF8.self))
            found = catchAll.endpoints
            return true
        }
        return false
    }
}
