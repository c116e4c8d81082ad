import HostctlCore

/// Fields that describe one connection rather than the message (RFC 9110 §7.6.1), so a proxy
/// never passes them on, either way: Connection and the fields it names, Keep-Alive,
/// Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authenticate and
/// Proxy-Authorization (the list of RFC 2616 §13.5.1, as proxies apply it).
enum HopByHopFields {
    /// Whether `name` is one of the fixed hop-by-hop fields (without regard to case).
    static func contains(_ name: UnsafeRawBufferPointer) -> Bool {
        switch name.count {
        case 2: ASCII.equalsLowercased(name, "te")
        case 7: ASCII.equalsLowercased(name, "trailer") || ASCII.equalsLowercased(name, "upgrade")
        case 10: ASCII.equalsLowercased(name, "connection") || ASCII.equalsLowercased(name, "keep-alive")
        case 16: ASCII.equalsLowercased(name, "proxy-connection")
        case 17: ASCII.equalsLowercased(name, "transfer-encoding")
        case 18: ASCII.equalsLowercased(name, "proxy-authenticate")
        case 19: ASCII.equalsLowercased(name, "proxy-authorization")
        default: false
        }
    }

    static func isConnection(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count == 10 && ASCII.equalsLowercased(name, "connection")
    }
}

/// The field names a message's Connection fields list (RFC 9110 §7.6.1: "close" and
/// "keep-alive" are options, anything else names a field to drop). Usually empty, and then
/// it allocates nothing.
struct ConnectionOptionNames {
    private var names: [[UInt8]] = []

    var isEmpty: Bool { names.isEmpty }

    /// Adds the names in one Connection value (a comma-separated list of tokens).
    mutating func add(listedIn value: UnsafeRawBufferPointer) {
        var start = 0
        while start < value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            var first = start
            var last = end
            while first < last, value[first] == UInt8(ascii: " ") || value[first] == UInt8(ascii: "\t") { first += 1 }
            while last > first, value[last - 1] == UInt8(ascii: " ") || value[last - 1] == UInt8(ascii: "\t") { last -= 1 }
            let option = UnsafeRawBufferPointer(rebasing: value[first..<last])
            if !option.isEmpty, !ASCII.equalsLowercased(option, "close"), !ASCII.equalsLowercased(option, "keep-alive") {
                names.append(option.map(ASCII.lowercase))
            }
            start = end + 1
        }
    }

    func contains(_ name: UnsafeRawBufferPointer) -> Bool {
        for listed in names where listed.count == name.count {
            if listed.indices.allSatisfy({ listed[$0] == ASCII.lowercase(name[$0]) }) { return true }
        }
        return false
    }
}
