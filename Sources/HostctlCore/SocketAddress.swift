#if canImport(Glibc)
import Glibc
#endif

/// An endpoint of a stream socket: IPv4, IPv6 or a Unix-domain path.
public enum SocketAddress: Sendable, Hashable, CustomStringConvertible {
    /// `address` in host byte order (127.0.0.1 is 0x7F00_0001).
    case ipv4(address: UInt32, port: UInt16)
    /// The 16 address bytes, big-endian as on the wire, as two halves.
    case ipv6(high: UInt64, low: UInt64, port: UInt16, scopeID: UInt32)
    case unix(path: String)

    /// The address without the port: "127.0.0.1", "::1", or the socket path.
    public var host: String {
        switch self {
        case .ipv4(let address, _):
            return "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
        case .ipv6(let high, let low, _, _):
            var raw = in6_addr()
            withUnsafeMutableBytes(of: &raw) { bytes in
                for i in 0..<8 {
                    bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                    bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
                }
            }
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            guard inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count)) != nil else { return "::" }
            return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        case .unix(let path):
            return path
        }
    }

    /// 0 for Unix-domain sockets.
    public var port: Int {
        switch self {
        case .ipv4(_, let port), .ipv6(_, _, let port, _): Int(port)
        case .unix: 0
        }
    }

    public var isIPv6: Bool { if case .ipv6 = self { return true } else { return false } }

    /// "127.0.0.1:5000", "[::1]:5000", "unix:/run/app.sock".
    public var description: String {
        switch self {
        case .ipv4: "\(host):\(port)"
        case .ipv6: "[\(host)]:\(port)"
        case .unix(let path): "unix:\(path)"
        }
    }

    /// The address a socket is bound to (getsockname); nil when it cannot be read.
    public static func local(of descriptor: Int32) -> SocketAddress? { read(descriptor, getsockname) }

    /// The address a connected socket's peer has (getpeername); nil when it cannot be read.
    public static func peer(of descriptor: Int32) -> SocketAddress? { read(descriptor, getpeername) }

    private static func read(
        _ descriptor: Int32, _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(descriptor, $0, &length) == 0 }
        }
        guard ok else { return nil }
        return withUnsafeBytes(of: storage) { SocketAddress($0.baseAddress!, length: Int(length)) }
    }

    /// Reads a `sockaddr` filled in by accept, getsockname or getpeername.
    public init?(_ storage: UnsafeRawPointer, length: Int) {
        let family = storage.load(as: sa_family_t.self)
        switch Int32(family) {
        case AF_INET:
            let address = storage.load(as: sockaddr_in.self)
            self = .ipv4(address: UInt32(bigEndian: address.sin_addr.s_addr), port: UInt16(bigEndian: address.sin_port))
        case AF_INET6:
            let address = storage.load(as: sockaddr_in6.self)
            var high: UInt64 = 0
            var low: UInt64 = 0
            withUnsafeBytes(of: address.sin6_addr) { bytes in
                for i in 0..<8 {
                    high = high << 8 | UInt64(bytes[i])
                    low = low << 8 | UInt64(bytes[8 + i])
                }
            }
            self = .ipv6(high: high, low: low, port: UInt16(bigEndian: address.sin6_port), scopeID: address.sin6_scope_id)
        case AF_UNIX:
            let pathOffset = MemoryLayout<sa_family_t>.size
            let pathLength = max(0, length - pathOffset)
            let bytes = UnsafeRawBufferPointer(start: storage + pathOffset, count: pathLength)
            let end = bytes.firstIndex(of: 0) ?? bytes.count
            self = .unix(path: String(decoding: bytes[..<end], as: UTF8.self))
        default:
            return nil
        }
    }

    /// Calls `body` with this address as a `sockaddr` for bind/connect.
    public func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        switch self {
        case .ipv4(let address, let port):
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = port.bigEndian
            raw.sin_addr.s_addr = address.bigEndian
            return try withUnsafePointer(to: &raw) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .ipv6(let high, let low, let port, let scopeID):
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = port.bigEndian
            raw.sin6_scope_id = scopeID
            withUnsafeMutableBytes(of: &raw.sin6_addr) { bytes in
                for i in 0..<8 {
                    bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i)))
                    bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i)))
                }
            }
            return try withUnsafePointer(to: &raw) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        case .unix(let path):
            var raw = sockaddr_un()
            raw.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8.prefix(MemoryLayout.size(ofValue: raw.sun_path) - 1))
            withUnsafeMutableBytes(of: &raw.sun_path) { target in
                target.copyBytes(from: bytes)
                target[bytes.count] = 0
            }
            let length = MemoryLayout<sa_family_t>.size + bytes.count + 1
            return try withUnsafePointer(to: &raw) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(length)) }
            }
        }
    }

    public static let ipv4Loopback = SocketAddress.ipv4(address: 0x7F00_0001, port: 0)
    public static let ipv6Loopback = SocketAddress.ipv6(high: 0, low: 1, port: 0, scopeID: 0)
    public static let ipv4Any = SocketAddress.ipv4(address: 0, port: 0)
    public static let ipv6Any = SocketAddress.ipv6(high: 0, low: 0, port: 0, scopeID: 0)

    /// The same address with another port.
    public func with(port: UInt16) -> SocketAddress {
        switch self {
        case .ipv4(let address, _): .ipv4(address: address, port: port)
        case .ipv6(let high, let low, _, let scope): .ipv6(high: high, low: low, port: port, scopeID: scope)
        case .unix: self
        }
    }

    /// Parses an IPv4 or IPv6 literal (no brackets, no port).
    public static func parseIP(_ text: String, port: UInt16) -> SocketAddress? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return .ipv4(address: UInt32(bigEndian: v4.s_addr), port: port) }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        withUnsafeBytes(of: v6) { bytes in
            for i in 0..<8 {
                high = high << 8 | UInt64(bytes[i])
                low = low << 8 | UInt64(bytes[8 + i])
            }
        }
        return .ipv6(high: high, low: low, port: port, scopeID: 0)
    }
}
