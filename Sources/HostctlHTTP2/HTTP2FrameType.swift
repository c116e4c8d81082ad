/// A frame type (RFC 9113 §6, §11.2). Types this side does not know are kept, and their frames
/// ignored (§4.1, §5.5).
public struct HTTP2FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let data = HTTP2FrameType(rawValue: 0x0)
    public static let headers = HTTP2FrameType(rawValue: 0x1)
    public static let priority = HTTP2FrameType(rawValue: 0x2)
    public static let rstStream = HTTP2FrameType(rawValue: 0x3)
    public static let settings = HTTP2FrameType(rawValue: 0x4)
    public static let pushPromise = HTTP2FrameType(rawValue: 0x5)
    public static let ping = HTTP2FrameType(rawValue: 0x6)
    public static let goAway = HTTP2FrameType(rawValue: 0x7)
    public static let windowUpdate = HTTP2FrameType(rawValue: 0x8)
    public static let continuation = HTTP2FrameType(rawValue: 0x9)

    public var description: String {
        switch rawValue {
        case 0x0: "DATA"
        case 0x1: "HEADERS"
        case 0x2: "PRIORITY"
        case 0x3: "RST_STREAM"
        case 0x4: "SETTINGS"
        case 0x5: "PUSH_PROMISE"
        case 0x6: "PING"
        case 0x7: "GOAWAY"
        case 0x8: "WINDOW_UPDATE"
        case 0x9: "CONTINUATION"
        default: "UNKNOWN(0x" + String(rawValue, radix: 16) + ")"
        }
    }
}

/// Frame flags (RFC 9113 §6). The same bit means different things on different frames
/// (0x1 is END_STREAM on DATA and HEADERS, ACK on SETTINGS and PING).
public struct HTTP2FrameFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let endStream = HTTP2FrameFlags(rawValue: 0x1)
    public static let ack = HTTP2FrameFlags(rawValue: 0x1)
    public static let endHeaders = HTTP2FrameFlags(rawValue: 0x4)
    public static let padded = HTTP2FrameFlags(rawValue: 0x8)
    public static let priority = HTTP2FrameFlags(rawValue: 0x20)
}
