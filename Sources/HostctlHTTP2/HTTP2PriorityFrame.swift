/// PRIORITY (RFC 9113 §6.3): deprecated; parsed for its shape and otherwise ignored.
public struct HTTP2PriorityFrame {
    public var streamID: HTTP2StreamID
    public var priority: HTTP2Priority

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID != .connection else { throw HTTP2Error(.streamIDZero(.priority)) }
        guard payload.count == 5 else { throw HTTP2Error.stream(.unexpectedFrameLength(.priority, expected: 5), header.streamID) }
        streamID = header.streamID
        priority = HTTP2Priority(payload.baseAddress!)
        guard priority.dependency != streamID else { throw HTTP2Error.stream(.streamSelfDependency(.priority), streamID) }
    }
}

/// The RFC 7540 priority fields of HEADERS and PRIORITY: 5 octets.
public struct HTTP2Priority: Sendable, Equatable {
    public var exclusive: Bool
    public var dependency: HTTP2StreamID
    /// 1–256.
    public var weight: Int

    public init(exclusive: Bool, dependency: HTTP2StreamID, weight: Int) {
        self.exclusive = exclusive
        self.dependency = dependency
        self.weight = weight
    }

    init(_ base: UnsafeRawPointer) {
        let word = readUInt32(base)
        exclusive = word & 0x8000_0000 != 0
        dependency = HTTP2StreamID(rawValue: word)
        weight = Int(base.load(fromByteOffset: 4, as: UInt8.self)) + 1
    }
}
