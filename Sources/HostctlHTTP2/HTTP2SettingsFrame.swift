#if canImport(HostctlCore)
import HostctlCore
#endif

/// SETTINGS (RFC 9113 §6.5): parameters as 6-octet pairs, or an empty acknowledgement.
public struct HTTP2SettingsFrame {
    public var isAck: Bool
    /// The parameters' octets, a multiple of 6 (read them with `parameter(at:)`).
    public var parameters: UnsafeRawBufferPointer

    public var parameterCount: Int { parameters.count / 6 }

    /// Parameter `index`: its identifier and value.
    public func parameter(at index: Int) -> (identifier: UInt16, value: UInt32) {
        let base = parameters.baseAddress! + 6 * index
        let identifier = UInt16(base.load(as: UInt8.self)) << 8 | UInt16(base.load(fromByteOffset: 1, as: UInt8.self))
        return (identifier, readUInt32(base + 2))
    }

    init(_ header: HTTP2FrameHeader, _ payload: UnsafeRawBufferPointer) throws(HTTP2Error) {
        guard header.streamID == .connection else { throw HTTP2Error(.streamIDNotZero(.settings)) }
        isAck = header.flags.contains(.ack)
        if isAck {
            guard payload.isEmpty else { throw HTTP2Error(.settingsAckLengthNotZero) }
        } else {
            guard payload.count % 6 == 0 else { throw HTTP2Error(.settingsLengthNotMultipleOfSix) }
        }
        parameters = payload
    }

    /// A SETTINGS frame with these parameters, in order.
    static func write(_ parameters: [(UInt16, UInt32)], to buffer: ByteBuffer) {
        appendFrame(to: buffer, count: HTTP2FrameHeader.size + 6 * parameters.count) { out in
            HTTP2FrameHeader.write(length: 6 * parameters.count, type: .settings, flags: [], streamID: .connection, to: out)
            var position = HTTP2FrameHeader.size
            for (identifier, value) in parameters {
                out.storeBytes(of: UInt8(truncatingIfNeeded: identifier >> 8), toByteOffset: position, as: UInt8.self)
                out.storeBytes(of: UInt8(truncatingIfNeeded: identifier), toByteOffset: position + 1, as: UInt8.self)
                writeUInt32(value, to: out + position + 2)
                position += 6
            }
        }
    }

    static func writeAck(to buffer: ByteBuffer) {
        HTTP2FrameHeader.append(length: 0, type: .settings, flags: .ack, streamID: .connection, to: buffer)
    }
}
