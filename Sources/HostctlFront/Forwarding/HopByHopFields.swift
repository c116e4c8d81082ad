import HostctlCore
import HostctlHTTP1

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

    /// `contains` for a name held as a String (trailer fields).
    static func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { contains(UnsafeRawBufferPointer($0)) }
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
        HTTP1ListElements.forEach(in: value) { option in
            if !ASCII.equalsLowercased(option, "close"), !ASCII.equalsLowercased(option, "keep-alive") {
                names.append(option.map(ASCII.lowercase))
            }
        }
    }

    func contains(_ name: UnsafeRawBufferPointer) -> Bool {
        for listed in names where listed.count == name.count {
            if listed.indices.allSatisfy({ listed[$0] == ASCII.lowercase(name[$0]) }) { return true }
        }
        return false
    }
}
