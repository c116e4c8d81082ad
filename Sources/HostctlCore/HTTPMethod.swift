/// A request method (RFC 9110 §9). Methods are case-sensitive: `get` is not `GET`.
public enum HTTPMethod: Hashable, Sendable, CustomStringConvertible {
    case get, head, post, put, delete, connect, options, trace, patch
    /// Any other token.
    case other(String)

    public init(_ name: String) {
        switch name {
        case "GET": self = .get
        case "HEAD": self = .head
        case "POST": self = .post
        case "PUT": self = .put
        case "DELETE": self = .delete
        case "CONNECT": self = .connect
        case "OPTIONS": self = .options
        case "TRACE": self = .trace
        case "PATCH": self = .patch
        default: self = .other(name)
        }
    }

    /// The method named by `bytes` (already checked to be a token), without building a
    /// String for the common ones.
    @inlinable
    public init(bytes: UnsafeRawBufferPointer) {
        @inline(__always) func equals(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == bytes.count
                && memcmpBytes(bytes.baseAddress!, literal.utf8Start, bytes.count)
        }
        switch bytes.count {
        case 3 where equals("GET"): self = .get
        case 3 where equals("PUT"): self = .put
        case 4 where equals("POST"): self = .post
        case 4 where equals("HEAD"): self = .head
        case 5 where equals("PATCH"): self = .patch
        case 5 where equals("TRACE"): self = .trace
        case 6 where equals("DELETE"): self = .delete
        case 7 where equals("OPTIONS"): self = .options
        case 7 where equals("CONNECT"): self = .connect
        default: self = .other(String(decoding: bytes, as: UTF8.self))
        }
    }

    public var rawValue: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .connect: "CONNECT"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .patch: "PATCH"
        case .other(let name): name
        }
    }

    public var description: String { rawValue }
}

@inlinable @inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b[i] { return false }
        i += 1
    }
    return true
}
