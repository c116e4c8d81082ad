import HostctlCore
import HostctlHTTP1

/// Fields that describe one connection rather than the message (RFC 9110 §7.6.1), so a proxy
/// never passes them on, either way: Connection and the fields it names, Keep-Alive,
/// Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authenticate and
/// Proxy-Authorization (the list of RFC 2616 §13.5.1, as proxies apply it).
enum HopByHopFields {
    /// Whether `name` is one of the fixed hop-by-hop fields (without regard to case).
    static func contains(_ name: UnsafeRawBufferPointer) -> Bool { FrontFieldName(name).isHopByHop }

    /// `contains` for a name held as a String (trailer fields).
    static func contains(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { contains(UnsafeRawBufferPointer($0)) }
    }

    static func isConnection(_ name: UnsafeRawBufferPointer) -> Bool {
        name.count == 10 && ASCII.equalsLowercased(name, "connection")
    }
}

/// Every field name the front treats apart, in either direction: one switch on the length
/// first, so most fields cost one comparison or none. The request and response heads map
/// these to what they do with each.
enum FrontFieldName {
    case other
    // Hop-by-hop (RFC 9110 §7.6.1 and RFC 2616 §13.5.1's list).
    case te, trailer, upgrade, connection, keepAlive, proxyConnection, transferEncoding, proxyAuthenticate, proxyAuthorization
    case contentLength, expect, date
    // The front's own.
    case forwardedFor, forwardedProto, forwardedHost, token

    /// Inlined, so each head's own mapping folds into this switch (a field of every request).
    @inline(__always)
    init(_ name: UnsafeRawBufferPointer) {
        switch name.count {
        case 2: self = ASCII.equalsLowercased(name, "te") ? .te : .other
        case 4: self = ASCII.equalsLowercased(name, "date") ? .date : .other
        case 6: self = ASCII.equalsLowercased(name, "expect") ? .expect : .other
        case 7:
            if ASCII.equalsLowercased(name, "upgrade") { self = .upgrade }
            else { self = ASCII.equalsLowercased(name, "trailer") ? .trailer : .other }
        case 10:
            if ASCII.equalsLowercased(name, "connection") { self = .connection }
            else { self = ASCII.equalsLowercased(name, "keep-alive") ? .keepAlive : .other }
        case 14: self = ASCII.equalsLowercased(name, "content-length") ? .contentLength : .other
        case 15:
            if ASCII.equalsLowercased(name, "x-forwarded-for") { self = .forwardedFor }
            else { self = ASCII.equalsLowercased(name, "x-hostctl-token") ? .token : .other }
        case 16:
            if ASCII.equalsLowercased(name, "proxy-connection") { self = .proxyConnection }
            else { self = ASCII.equalsLowercased(name, "x-forwarded-host") ? .forwardedHost : .other }
        case 17:
            if ASCII.equalsLowercased(name, "x-forwarded-proto") { self = .forwardedProto }
            else { self = ASCII.equalsLowercased(name, "transfer-encoding") ? .transferEncoding : .other }
        case 18: self = ASCII.equalsLowercased(name, "proxy-authenticate") ? .proxyAuthenticate : .other
        case 19: self = ASCII.equalsLowercased(name, "proxy-authorization") ? .proxyAuthorization : .other
        default: self = .other
        }
    }

    var isHopByHop: Bool {
        switch self {
        case .te, .trailer, .upgrade, .connection, .keepAlive, .proxyConnection, .transferEncoding, .proxyAuthenticate, .proxyAuthorization: true
        case .other, .contentLength, .expect, .date, .forwardedFor, .forwardedProto, .forwardedHost, .token: false
        }
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
