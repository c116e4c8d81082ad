import Glibc
import HostctlCore

/// Reading `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` as the front
/// sends them: each proxy appends its entry, so only the rightmost one is the front's (the
/// one proxy we trust); what the client wrote to the left is not evidence of anything.
///
/// Works on the bytes in the server's buffer and builds no String; a value that does not
/// parse gives nil, and the request keeps what it had (never a crash, never a guess).
///
/// ```swift
/// ForwardedHeaders.remoteEndpoint(forwardedFor: "203.0.113.7:5123, [::1]:5000")  // [::1]:5000
/// ForwardedHeaders.scheme(forwardedProto: "https")                               // "https"
/// ```
public enum ForwardedHeaders {
    /// The rightmost comma-separated entry of a field value, without surrounding spaces
    /// and tabs; nil when it is empty ("a, " or "").
    static func lastEntry(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var start = value.count
        while start > 0, value[start - 1] != UInt8(ascii: ",") { start -= 1 }
        let entry = trimmed(UnsafeRawBufferPointer(rebasing: value[start...]))
        return entry.isEmpty ? nil : entry
    }

    /// The client endpoint in the rightmost `X-Forwarded-For` entry: `203.0.113.7:5123`,
    /// `[2001:db8::7]:5123`, or an address with no port (port 0): `203.0.113.7`, `::1`,
    /// `[::1]`. A bad port, a zone, a name or `unknown` give nil.
    static func remoteEndpoint(forwardedFor value: UnsafeRawBufferPointer) -> SocketAddress? {
        guard let entry = lastEntry(value) else { return nil }
        var address = entry
        var port: UInt16 = 0
        if entry[0] == UInt8(ascii: "[") {
            guard let close = entry.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            address = UnsafeRawBufferPointer(rebasing: entry[1..<close])
            let rest = UnsafeRawBufferPointer(rebasing: entry[(close + 1)...])
            if !rest.isEmpty {
                guard rest[0] == UInt8(ascii: ":"), let parsed = parsePort(UnsafeRawBufferPointer(rebasing: rest[1...])) else { return nil }
                port = parsed
            }
            return parseIP(address, family: AF_INET6, port: port)
        }
        let colons = entry.count(where: { $0 == UInt8(ascii: ":") })
        if colons == 1 {
            let colon = entry.firstIndex(of: UInt8(ascii: ":"))!
            address = UnsafeRawBufferPointer(rebasing: entry[..<colon])
            guard let parsed = parsePort(UnsafeRawBufferPointer(rebasing: entry[(colon + 1)...])) else { return nil }
            port = parsed
            return parseIP(address, family: AF_INET, port: port)
        }
        // No colon: IPv4 alone; several: IPv6 alone (it cannot carry a port unbracketed).
        return parseIP(address, family: colons == 0 ? AF_INET : AF_INET6, port: 0)
    }

    /// The rightmost `X-Forwarded-Proto` entry if it is a URI scheme (RFC 3986 §3.1:
    /// a letter, then letters, digits, "+", "-" or ".").
    static func scheme(forwardedProto value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let entry = lastEntry(value), isLetter(entry[0]) else { return nil }
        for byte in entry.dropFirst() where !(isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) {
            return nil
        }
        return entry
    }

    /// The rightmost `X-Forwarded-Host` entry if it is a valid Host value: a name or IPv4
    /// address (RFC 3986 reg-name characters), or a bracketed IPv6 address, then an
    /// optional `:port` (as ASP.NET's ForwardedHeaders checks it before using it).
    static func host(forwardedHost value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let entry = lastEntry(value) else { return nil }
        var index = 0
        if entry[0] == UInt8(ascii: "[") {
            index = 1
            while index < entry.count, entry[index] != UInt8(ascii: "]") {
                guard isHexDigit(entry[index]) || entry[index] == UInt8(ascii: ":") || entry[index] == UInt8(ascii: ".") else { return nil }
                index += 1
            }
            guard index < entry.count, index > 1 else { return nil }
            index += 1
        } else {
            while index < entry.count, entry[index] != UInt8(ascii: ":") {
                guard isRegisteredNameByte(entry[index]) else { return nil }
                index += 1
            }
            guard index > 0 else { return nil }
        }
        if index < entry.count {
            guard entry[index] == UInt8(ascii: ":") else { return nil }
            for byte in entry[(index + 1)...] where !isDigit(byte) { return nil }
        }
        return entry
    }

    // MARK: The same for Strings (tests, custom middleware)

    public static func remoteEndpoint(forwardedFor value: String) -> SocketAddress? {
        withBytes(value) { remoteEndpoint(forwardedFor: $0) }
    }

    public static func scheme(forwardedProto value: String) -> String? {
        withBytes(value) { scheme(forwardedProto: $0).map { String(decoding: $0, as: UTF8.self) } }
    }

    public static func host(forwardedHost value: String) -> String? {
        withBytes(value) { host(forwardedHost: $0).map { String(decoding: $0, as: UTF8.self) } }
    }

    // MARK: Pieces

    private static func withBytes<R>(_ text: String, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var text = text
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// 1–5 decimal digits, at most 65535.
    static func parsePort(_ digits: UnsafeRawBufferPointer) -> UInt16? {
        guard !digits.isEmpty, digits.count <= 5 else { return nil }
        var value = 0
        for byte in digits {
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value <= 65535 ? UInt16(value) : nil
    }

    /// inet_pton over a NUL-terminated copy on the stack (no String, no heap).
    private static func parseIP(_ text: UnsafeRawBufferPointer, family: Int32, port: UInt16) -> SocketAddress? {
        // Only what an address literal is made of: a NUL would end inet_pton's string early.
        guard !text.isEmpty, text.count < Int(INET6_ADDRSTRLEN),
              text.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") })
        else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: Int(INET6_ADDRSTRLEN)) { buffer in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(from: text)
            buffer[text.count] = 0
            if family == AF_INET {
                var raw = in_addr()
                guard inet_pton(AF_INET, buffer.baseAddress!, &raw) == 1 else { return nil }
                return .ipv4(address: UInt32(bigEndian: raw.s_addr), port: port)
            }
            var raw = in6_addr()
            guard inet_pton(AF_INET6, buffer.baseAddress!, &raw) == 1 else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0
            withUnsafeBytes(of: raw) { bytes in
                for i in 0..<8 {
                    high = high << 8 | UInt64(bytes[i])
                    low = low << 8 | UInt64(bytes[8 + i])
                }
            }
            return .ipv6(high: high, low: low, port: port, scopeID: 0)
        }
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lower = 0, upper = bytes.count
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[lower..<upper])
    }

    private static func isLetter(_ byte: UInt8) -> Bool { ASCII.lowercase(byte) >= UInt8(ascii: "a") && ASCII.lowercase(byte) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (ASCII.lowercase(byte) >= UInt8(ascii: "a") && ASCII.lowercase(byte) <= UInt8(ascii: "f"))
    }

    /// RFC 3986 reg-name: unreserved, sub-delims (but the comma, which separates entries) and
    /// "%" of a percent-encoding. Anything else ("/", "@", spaces) cannot be part of a host.
    private static func isRegisteredNameByte(_ byte: UInt8) -> Bool {
        if isLetter(byte) || isDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ";"), UInt8(ascii: "="):
            return true
        default:
            return false
        }
    }
}
