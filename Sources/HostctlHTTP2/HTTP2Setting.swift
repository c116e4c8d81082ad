/// SETTINGS parameter identifiers (RFC 9113 §6.5.2, RFC 8441 §3, RFC 9218 §2.1).
public enum HTTP2Setting {
    public static let headerTableSize: UInt16 = 0x1
    public static let enablePush: UInt16 = 0x2
    public static let maxConcurrentStreams: UInt16 = 0x3
    public static let initialWindowSize: UInt16 = 0x4
    public static let maxFrameSize: UInt16 = 0x5
    public static let maxHeaderListSize: UInt16 = 0x6
    public static let enableConnectProtocol: UInt16 = 0x8
    public static let noRFC7540Priorities: UInt16 = 0x9

    /// The largest flow-control window (§6.9.1).
    public static let maximumWindowSize = Int(Int32.max)
    /// The default and smallest SETTINGS_MAX_FRAME_SIZE, and the largest (§6.5.2).
    public static let minimumMaxFrameSize = 1 << 14
    public static let maximumMaxFrameSize = (1 << 24) - 1
    /// What a window is before any setting changes it (§6.9.2).
    public static let defaultWindowSize = 65535

    static func name(_ identifier: UInt16) -> String {
        switch identifier {
        case headerTableSize: "SETTINGS_HEADER_TABLE_SIZE"
        case enablePush: "SETTINGS_ENABLE_PUSH"
        case maxConcurrentStreams: "SETTINGS_MAX_CONCURRENT_STREAMS"
        case initialWindowSize: "SETTINGS_INITIAL_WINDOW_SIZE"
        case maxFrameSize: "SETTINGS_MAX_FRAME_SIZE"
        case maxHeaderListSize: "SETTINGS_MAX_HEADER_LIST_SIZE"
        case enableConnectProtocol: "SETTINGS_ENABLE_CONNECT_PROTOCOL"
        case noRFC7540Priorities: "SETTINGS_NO_RFC7540_PRIORITIES"
        default: "0x" + String(identifier, radix: 16)
        }
    }
}

/// The settings one endpoint has announced, starting from the RFC's defaults (§6.5.2).
public struct HTTP2Settings: Sendable, Equatable {
    public var headerTableSize = 4096
    public var enablePush = true
    /// nil: no limit announced.
    public var maxConcurrentStreams: Int?
    public var initialWindowSize = HTTP2Setting.defaultWindowSize
    public var maxFrameSize = HTTP2Setting.minimumMaxFrameSize
    /// nil: no limit announced.
    public var maxHeaderListSize: Int?
    public var enableConnectProtocol = false
    public var noRFC7540Priorities = false

    public init() {}

    /// Sets one parameter, checking its range; unknown identifiers are ignored (§6.5.2).
    mutating func apply(_ identifier: UInt16, _ value: UInt32) throws(HTTP2Error) {
        switch identifier {
        case HTTP2Setting.headerTableSize:
            headerTableSize = Int(value)
        case HTTP2Setting.enablePush:
            guard value <= 1 else { throw HTTP2Error(.settingsParameterOutOfRange(identifier)) }
            enablePush = value == 1
        case HTTP2Setting.maxConcurrentStreams:
            maxConcurrentStreams = Int(value)
        case HTTP2Setting.initialWindowSize:
            guard Int(value) <= HTTP2Setting.maximumWindowSize else { throw HTTP2Error(.initialWindowSizeInvalid) }
            initialWindowSize = Int(value)
        case HTTP2Setting.maxFrameSize:
            guard Int(value) >= HTTP2Setting.minimumMaxFrameSize && Int(value) <= HTTP2Setting.maximumMaxFrameSize else {
                throw HTTP2Error(.settingsParameterOutOfRange(identifier))
            }
            maxFrameSize = Int(value)
        case HTTP2Setting.maxHeaderListSize:
            maxHeaderListSize = Int(value)
        case HTTP2Setting.enableConnectProtocol:
            guard value <= 1 else { throw HTTP2Error(.settingsParameterOutOfRange(identifier)) }
            enableConnectProtocol = value == 1
        case HTTP2Setting.noRFC7540Priorities:
            guard value <= 1 else { throw HTTP2Error(.settingsParameterOutOfRange(identifier)) }
            noRFC7540Priorities = value == 1
        default:
            break
        }
    }
}
