import HostctlCore
import HostctlHPACK

/// One HTTP/2 frame as the tests write and read them: built by hand (malformed on purpose
/// where a test wants), independent of the codec under test.
public struct HTTP2TestFrame: Sendable, Equatable, CustomStringConvertible {
    public static let data: UInt8 = 0x0, headers: UInt8 = 0x1, priority: UInt8 = 0x2, rstStream: UInt8 = 0x3, settings: UInt8 = 0x4
    public static let pushPromise: UInt8 = 0x5, ping: UInt8 = 0x6, goAway: UInt8 = 0x7, windowUpdate: UInt8 = 0x8, continuation: UInt8 = 0x9
    public static let endStream: UInt8 = 0x1, ack: UInt8 = 0x1, endHeaders: UInt8 = 0x4

    public var type: UInt8
    public var flags: UInt8
    public var streamID: UInt32
    public var payload: [UInt8]

    public init(type: UInt8, flags: UInt8 = 0, streamID: UInt32 = 0, payload: [UInt8] = []) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
    }

    public var endsStream: Bool { flags & Self.endStream != 0 && (type == Self.data || type == Self.headers) }

    /// The frame on the wire: the 9-octet header, then the payload.
    public var bytes: [UInt8] {
        let length = payload.count
        var out: [UInt8] = [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags]
        out += Self.uint32(streamID & 0x7FFF_FFFF)
        return out + payload
    }

    /// GOAWAY's last stream id and error code; RST_STREAM's code (last stream 0).
    public var errorCode: (lastStreamID: UInt32, code: UInt32)? {
        switch type {
        case Self.goAway where payload.count >= 8: (Self.readUInt32(payload, 0) & 0x7FFF_FFFF, Self.readUInt32(payload, 4))
        case Self.rstStream where payload.count == 4: (0, Self.readUInt32(payload, 0))
        default: nil
        }
    }

    public var description: String {
        let names = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]
        let name = Int(type) < names.count ? names[Int(type)] : "type \(type)"
        var text = "\(name)(stream \(streamID), flags 0x\(String(flags, radix: 16)), \(payload.count) octets"
        if let (last, code) = errorCode { text += type == Self.goAway ? ", last \(last), code \(code)" : ", code \(code)" }
        return text + ")"
    }

    // MARK: Building

    public static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public static func settings(_ parameters: [(UInt16, UInt32)] = []) -> HTTP2TestFrame {
        HTTP2TestFrame(type: settings, payload: parameters.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xFF)] + uint32($0.1) })
    }

    public static var settingsAck: HTTP2TestFrame { HTTP2TestFrame(type: settings, flags: ack) }

    public static func data(_ streamID: UInt32, _ bytes: [UInt8], endStream: Bool = false) -> HTTP2TestFrame {
        HTTP2TestFrame(type: data, flags: endStream ? Self.endStream : 0, streamID: streamID, payload: bytes)
    }

    public static func windowUpdate(_ streamID: UInt32, _ increment: UInt32) -> HTTP2TestFrame {
        HTTP2TestFrame(type: windowUpdate, streamID: streamID, payload: uint32(increment))
    }

    public static func rstStream(_ streamID: UInt32, code: UInt32 = 0x8) -> HTTP2TestFrame {
        HTTP2TestFrame(type: rstStream, streamID: streamID, payload: uint32(code))
    }

    public static func ping(_ payload: UInt64 = 0, ack: Bool = false) -> HTTP2TestFrame {
        HTTP2TestFrame(type: ping, flags: ack ? Self.ack : 0, payload: (0..<8).map { UInt8(payload >> (56 - 8 * UInt64($0)) & 0xFF) })
    }

    public static func goAway(lastStreamID: UInt32, code: UInt32 = 0) -> HTTP2TestFrame {
        HTTP2TestFrame(type: goAway, payload: uint32(lastStreamID) + uint32(code))
    }

    static func uint32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func readUInt32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}

/// A client's side of one connection's framing: header blocks encoded and decoded with the
/// connection's HPACK contexts, frames split from the bytes the server sent, and the
/// responses they add up to.
public final class HTTP2ClientSession {
    public struct Response: Sendable {
        public var status: Int?
        public var headers: [(name: String, value: String)] = []
        public var body: [UInt8] = []
        public var trailers: [(name: String, value: String)] = []
        public var ended = false
        /// RST_STREAM's error code, if the server reset the stream.
        public var resetCode: UInt32?

        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    private let encoder = HPACKEncoder()
    private let decoder = HPACKDecoder(maxTableSize: 4096)
    private var received: [UInt8] = []
    private var headerBlock: (streamID: UInt32, fragment: [UInt8], endStream: Bool)?
    public private(set) var responses: [UInt32: Response] = [:]
    /// GOAWAY from the server: its last stream id and error code.
    public private(set) var goAway: (lastStreamID: UInt32, code: UInt32)?
    /// The server's SETTINGS, as last received.
    public private(set) var serverSettings: [UInt16: UInt32] = [:]
    public private(set) var pingAcks = 0
    /// WINDOW_UPDATE increments received, by stream.
    public private(set) var windowIncrements: [UInt32: Int] = [:]
    /// Every frame read, in order.
    public private(set) var frames: [HTTP2TestFrame] = []

    public init() {}

    /// A header block for `fields`, in order (pseudo-header fields first, as the caller gives them).
    public func encodeHeaders(_ fields: [(String, String)]) -> [UInt8] {
        let buffer = ByteBuffer()
        encoder.beginBlock(into: buffer)
        for (name, value) in fields { encoder.encode(name: name, value: value, into: buffer) }
        return buffer.readableArray
    }

    /// A request's HEADERS frame (GET with an empty body unless `endStream` is false).
    public func request(
        _ streamID: UInt32, method: String = "GET", path: String, authority: String = "localhost", scheme: String = "http",
        headers: [(String, String)] = [], endStream: Bool = true
    ) -> HTTP2TestFrame {
        let block = encodeHeaders([(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)] + headers)
        return HTTP2TestFrame(
            type: HTTP2TestFrame.headers, flags: HTTP2TestFrame.endHeaders | (endStream ? HTTP2TestFrame.endStream : 0), streamID: streamID, payload: block
        )
    }

    /// Trailers: a HEADERS frame with END_STREAM and no pseudo-header.
    public func trailers(_ streamID: UInt32, _ fields: [(String, String)]) -> HTTP2TestFrame {
        HTTP2TestFrame(type: HTTP2TestFrame.headers, flags: HTTP2TestFrame.endHeaders | HTTP2TestFrame.endStream, streamID: streamID, payload: encodeHeaders(fields))
    }

    /// Takes bytes the server sent; returns the frames they completed (also recorded).
    @discardableResult
    public func receive(_ bytes: [UInt8]) -> [HTTP2TestFrame] {
        received += bytes
        var complete: [HTTP2TestFrame] = []
        while received.count >= 9 {
            let length = Int(received[0]) << 16 | Int(received[1]) << 8 | Int(received[2])
            guard received.count >= 9 + length else { break }
            let frame = HTTP2TestFrame(
                type: received[3], flags: received[4], streamID: HTTP2TestFrame.readUInt32(received, 5) & 0x7FFF_FFFF, payload: Array(received[9..<(9 + length)])
            )
            received.removeFirst(9 + length)
            apply(frame)
            complete.append(frame)
            frames.append(frame)
        }
        return complete
    }

    private func apply(_ frame: HTTP2TestFrame) {
        switch frame.type {
        case HTTP2TestFrame.headers:
            headerBlock = (frame.streamID, Self.unpadded(frame), frame.flags & HTTP2TestFrame.endStream != 0)
            if frame.flags & HTTP2TestFrame.endHeaders != 0 { completeHeaderBlock() }
        case HTTP2TestFrame.continuation:
            headerBlock?.fragment += frame.payload
            if frame.flags & HTTP2TestFrame.endHeaders != 0 { completeHeaderBlock() }
        case HTTP2TestFrame.data:
            responses[frame.streamID, default: Response()].body += Self.unpadded(frame)
            if frame.flags & HTTP2TestFrame.endStream != 0 { responses[frame.streamID, default: Response()].ended = true }
        case HTTP2TestFrame.rstStream:
            responses[frame.streamID, default: Response()].resetCode = frame.errorCode?.code
        case HTTP2TestFrame.goAway:
            goAway = frame.errorCode
        case HTTP2TestFrame.settings where frame.flags & HTTP2TestFrame.ack == 0:
            for offset in stride(from: 0, to: frame.payload.count - 5, by: 6) {
                serverSettings[UInt16(frame.payload[offset]) << 8 | UInt16(frame.payload[offset + 1])] = HTTP2TestFrame.readUInt32(frame.payload, offset + 2)
            }
        case HTTP2TestFrame.ping where frame.flags & HTTP2TestFrame.ack != 0:
            pingAcks += 1
        case HTTP2TestFrame.windowUpdate:
            windowIncrements[frame.streamID, default: 0] += Int(HTTP2TestFrame.readUInt32(frame.payload, 0) & 0x7FFF_FFFF)
        default:
            break
        }
    }

    private func completeHeaderBlock() {
        guard let block = headerBlock else { return }
        headerBlock = nil
        let list = HPACKHeaderList()
        block.fragment.withUnsafeBytes { bytes in
            try? decoder.decode(bytes, into: list, limits: HPACKDecoder.Limits(maxHeaderListSize: 1 << 20))
        }
        var response = responses[block.streamID] ?? Response()
        let fields = list.strings
        if let status = fields.first(where: { $0.name == ":status" }) {
            let code = Int(status.value) ?? 0
            // An informational head (100) is not the response.
            if code >= 200 {
                response.status = code
                response.headers = fields.filter { !$0.name.hasPrefix(":") }
            }
        } else {
            response.trailers = fields
        }
        if block.endStream { response.ended = true }
        responses[block.streamID] = response
    }

    private static func unpadded(_ frame: HTTP2TestFrame) -> [UInt8] {
        var payload = frame.payload[...]
        var padding = 0
        if frame.flags & 0x8 != 0, let first = payload.first {
            padding = Int(first)
            payload = payload.dropFirst()
        }
        if frame.type == HTTP2TestFrame.headers, frame.flags & 0x20 != 0 { payload = payload.dropFirst(5) }
        return Array(payload.dropLast(min(padding, payload.count)))
    }
}
