/// A stream identifier (RFC 9113 §5.1.1): 31 bits; 0 is the connection itself, clients open
/// odd ones in increasing order.
public struct HTTP2StreamID: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue & 0x7FFF_FFFF
    }

    public init(_ value: UInt32) {
        self.init(rawValue: value)
    }

    public init(integerLiteral value: UInt32) {
        self.init(rawValue: value)
    }

    /// Stream 0: frames about the whole connection (SETTINGS, PING, GOAWAY, its WINDOW_UPDATE).
    public static let connection: HTTP2StreamID = 0
    /// The largest identifier, which a first GOAWAY of a graceful shutdown names (RFC 9113 §6.8).
    public static let maximum = HTTP2StreamID(rawValue: 0x7FFF_FFFF)

    public var isClientInitiated: Bool { rawValue & 1 == 1 }

    public static func < (a: HTTP2StreamID, b: HTTP2StreamID) -> Bool { a.rawValue < b.rawValue }

    public var description: String { String(rawValue) }
}
