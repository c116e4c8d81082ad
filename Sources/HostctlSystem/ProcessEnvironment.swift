import Glibc

/// An ordered, editable copy of a process environment.
///
/// Order is kept so the child sees variables in the order they were set, which makes
/// diagnostics (`hostctl run -v d`) read in the order of the design's precedence list.
public struct ProcessEnvironment: Sendable, Equatable {
    public private(set) var entries: [(name: String, value: String)] = []
    private var index: [String: Int] = [:]

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { self[name] = value }
    }

    /// This process's environment as it is now.
    public static func current() -> ProcessEnvironment {
        var environment = ProcessEnvironment()
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return environment
    }

    public subscript(name: String) -> String? {
        get { index[name].map { entries[$0].value } }
        set {
            if let newValue {
                if let position = index[name] {
                    entries[position].value = newValue
                } else {
                    index[name] = entries.count
                    entries.append((name, newValue))
                }
            } else if let position = index.removeValue(forKey: name) {
                entries.remove(at: position)
                for (key, value) in index where value > position { index[key] = value - 1 }
            }
        }
    }

    /// `NAME=value` strings for execve.
    public var assignments: [String] { entries.map { "\($0.name)=\($0.value)" } }

    public static func == (lhs: ProcessEnvironment, rhs: ProcessEnvironment) -> Bool {
        lhs.entries.elementsEqual(rhs.entries) { $0.name == $1.name && $0.value == $1.value }
    }
}
