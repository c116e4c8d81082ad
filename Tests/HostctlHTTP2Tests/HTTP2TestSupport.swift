import HostctlCore
import HostctlTestSupport
import HostctlHPACK
@testable import HostctlHTTP2
import Testing

// A client written by hand (frames as bytes, HPACK from HostctlHPACK's encoder), a driver that
// records what the state machine reports, and a reader for what the server wrote that does not
// use the code under test beyond HPACK.

let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

/// Frames a client sends.
enum Client {
    static func frame(_ type: UInt8, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = payload.count
        return [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags] + be32(stream) + payload
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func settings(_ parameters: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(0x4, parameters.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xFF)] + be32($0.1) })
    }

    static let settingsAck = frame(0x4, flags: 0x1)

    /// Preface and an empty SETTINGS: what every connection starts with.
    static let start = preface + settings()

    static func headers(_ stream: UInt32, _ block: [UInt8], endStream: Bool = true, endHeaders: Bool = true, padding: Int? = nil, priority: (UInt32, UInt8)? = nil) -> [UInt8] {
        var flags: UInt8 = (endStream ? 0x1 : 0) | (endHeaders ? 0x4 : 0)
        var payload: [UInt8] = []
        if let padding { flags |= 0x8; payload.append(UInt8(padding)) }
        if let (dependency, weight) = priority { flags |= 0x20; payload += be32(dependency) + [weight] }
        payload += block
        if let padding { payload += [UInt8](repeating: 0, count: padding) }
        return frame(0x1, flags: flags, stream: stream, payload)
    }

    /// HEADERS, then CONTINUATION frames when the block is larger than 16 KiB.
    static func headerBlock(_ stream: UInt32, _ block: [UInt8], endStream: Bool = true) -> [UInt8] {
        guard block.count > 16384 else { return headers(stream, block, endStream: endStream) }
        var frames = headers(stream, Array(block[..<16384]), endStream: endStream, endHeaders: false)
        var offset = 16384
        while offset < block.count {
            let end = min(offset + 16384, block.count)
            frames += continuation(stream, Array(block[offset..<end]), endHeaders: end == block.count)
            offset = end
        }
        return frames
    }

    static func continuation(_ stream: UInt32, _ block: [UInt8], endHeaders: Bool = true) -> [UInt8] {
        frame(0x9, flags: endHeaders ? 0x4 : 0, stream: stream, block)
    }

    static func data(_ stream: UInt32, _ text: String, endStream: Bool = false, padding: Int? = nil) -> [UInt8] {
        data(stream, Array(text.utf8), endStream: endStream, padding: padding)
    }

    static func data(_ stream: UInt32, _ bytes: [UInt8], endStream: Bool = false, padding: Int? = nil) -> [UInt8] {
        guard let padding else { return frame(0x0, flags: endStream ? 0x1 : 0, stream: stream, bytes) }
        return frame(0x0, flags: (endStream ? 0x1 : 0) | 0x8, stream: stream, [UInt8(padding)] + bytes + [UInt8](repeating: 0, count: padding))
    }

    static func rst(_ stream: UInt32, code: UInt32 = 0x8) -> [UInt8] { frame(0x3, stream: stream, be32(code)) }
    static func ping(_ payload: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8], ack: Bool = false) -> [UInt8] { frame(0x6, flags: ack ? 1 : 0, payload) }
    static func windowUpdate(_ stream: UInt32, _ increment: UInt32) -> [UInt8] { frame(0x8, stream: stream, be32(increment)) }
    static func goAway(last: UInt32, code: UInt32 = 0) -> [UInt8] { frame(0x7, be32(last) + be32(code)) }
    static func priority(_ stream: UInt32, dependsOn: UInt32, weight: UInt8 = 15) -> [UInt8] { frame(0x2, stream: stream, be32(dependsOn) + [weight]) }
}

/// A client's HPACK context: blocks for requests, in order.
final class RequestEncoder {
    let encoder = HPACKEncoder()

    func block(_ fields: [(String, String)]) -> [UInt8] {
        ByteBuffer.with { buffer in
            encoder.beginBlock(into: buffer)
            for (name, value) in fields { encoder.encode(name: name, value: value, indexing: .incremental, into: buffer) }
        }
    }

    /// A GET (or `method`) with the usual pseudo-header fields and then `extra`.
    func request(_ path: String = "/", method: String = "GET", scheme: String = "https", authority: String = "example.com", _ extra: [(String, String)] = []) -> [UInt8] {
        block([(":method", method), (":scheme", scheme), (":authority", authority), (":path", path)] + extra)
    }
}


/// What the state machine reported, in a comparable form.
enum Seen: Equatable, CustomStringConvertible {
    case request(UInt32, [String], endStream: Bool)
    case data(UInt32, String, endStream: Bool)
    case trailers(UInt32, [String])
    case reset(UInt32, HTTP2Error.Reason)
    case windowOpened(UInt32)
    case settingsChanged
    case goAway(UInt32, HTTP2ErrorCode)
    case connectionError(HTTP2Error.Reason)

    var description: String {
        switch self {
        case .request(let id, let fields, let end): "request(\(id), \(fields), end: \(end))"
        case .data(let id, let text, let end): "data(\(id), \(text.count) bytes, end: \(end))"
        case .trailers(let id, let fields): "trailers(\(id), \(fields))"
        case .reset(let id, let reason): "reset(\(id), \(reason))"
        case .windowOpened(let id): "windowOpened(\(id))"
        case .settingsChanged: "settingsChanged"
        case .goAway(let id, let code): "goAway(\(id), \(code))"
        case .connectionError(let reason): "connectionError(\(reason))"
        }
    }
}

/// A frame the server wrote.
struct ServerFrame: Equatable, CustomStringConvertible {
    var type: UInt8
    var flags: UInt8
    var stream: UInt32
    var payload: [UInt8]

    var u32: UInt32 { UInt32(payload[0]) << 24 | UInt32(payload[1]) << 16 | UInt32(payload[2]) << 8 | UInt32(payload[3]) }
    var errorCode: HTTP2ErrorCode { HTTP2ErrorCode(rawValue: type == 0x7 ? UInt32(payload[4]) << 24 | UInt32(payload[5]) << 16 | UInt32(payload[6]) << 8 | UInt32(payload[7]) : u32) }
    var isGoAway: Bool { type == 0x7 }
    var isReset: Bool { type == 0x3 }

    var description: String {
        let names = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]
        let name = Int(type) < names.count ? names[Int(type)] : "0x\(String(type, radix: 16))"
        switch type {
        case 0x3: return "RST_STREAM(\(stream), \(errorCode))"
        case 0x7: return "GOAWAY(last \(u32), \(errorCode))"
        case 0x8: return "WINDOW_UPDATE(\(stream), +\(u32))"
        default: return "\(name)(stream \(stream), flags 0x\(String(flags, radix: 16)), \(payload.count) bytes)"
        }
    }
}

func parseFrames(_ bytes: [UInt8]) -> [ServerFrame] {
    var frames: [ServerFrame] = []
    var offset = 0
    while offset + 9 <= bytes.count {
        let length = Int(bytes[offset]) << 16 | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
        precondition(offset + 9 + length <= bytes.count, "a truncated frame in the server's output")
        let stream = (UInt32(bytes[offset + 5]) << 24 | UInt32(bytes[offset + 6]) << 16 | UInt32(bytes[offset + 7]) << 8 | UInt32(bytes[offset + 8])) & 0x7FFF_FFFF
        frames.append(ServerFrame(type: bytes[offset + 3], flags: bytes[offset + 4], stream: stream, payload: Array(bytes[(offset + 9)..<(offset + 9 + length)])))
        offset += 9 + length
    }
    precondition(offset == bytes.count, "bytes after the last frame")
    return frames
}

/// A driver in a test: feeds bytes, records events, optionally answers like an app would.
final class Harness {
    let machine: HTTP2ConnectionStateMachine
    let input = ByteBuffer()
    let output = ByteBuffer()
    var seen: [Seen] = []
    /// All output so far, parsed.
    var written: [UInt8] = []
    let responseDecoder = HPACKDecoder()
    /// Consume DATA at once (an app that reads as fast as bytes come).
    var consumesData = true
    /// Answer every complete request with 200 and `responseBody`, then finish the stream.
    var respondsAutomatically = false
    var responseBody: [UInt8] = Array("hello".utf8)
    var heads: [UInt32: HTTP2RequestHead] = [:]

    init(limits: HTTP2Limits = HTTP2Limits(), transportScheme: StaticString? = nil, start: Bool = true) {
        machine = HTTP2ConnectionStateMachine(limits: limits, transportScheme: transportScheme)
        if start { machine.start(now: 0, output: output) }
    }

    /// Feeds `bytes` in one piece.
    @discardableResult
    func feed(_ bytes: [UInt8]) -> [Seen] {
        let before = seen.count
        input.append(bytes)
        pump()
        return Array(seen[before...])
    }

    func pump() {
        while let event = machine.nextEvent(from: input, output: output) {
            record(event)
        }
        input.compact()
    }

    private func record(_ event: HTTP2Event) {
        switch event {
        case .requestHead(let id, let head, let endStream):
            let fields = head.fields.strings.map { "\($0.name): \($0.value)" }
            seen.append(.request(id.rawValue, fields, endStream: endStream))
            heads[id.rawValue] = head
            if respondsAutomatically && endStream { respond(id.rawValue) }
        case .data(let id, let bytes, let endStream):
            seen.append(.data(id.rawValue, String(decoding: bytes, as: UTF8.self), endStream: endStream))
            if consumesData { machine.dataConsumed(bytes.count, stream: id, output: output) }
            if respondsAutomatically && endStream { respond(id.rawValue) }
        case .trailers(let id, let list):
            seen.append(.trailers(id.rawValue, list.strings.map { "\($0.name): \($0.value)" }))
            if respondsAutomatically { respond(id.rawValue) }
        case .streamReset(let id, let error):
            seen.append(.reset(id.rawValue, error.reason))
            if respondsAutomatically { machine.streamFinished(id, output: output) }
        case .windowOpened(let id):
            seen.append(.windowOpened(id.rawValue))
        case .settingsChanged:
            seen.append(.settingsChanged)
        case .goAway(let last, let code):
            seen.append(.goAway(last.rawValue, code))
        case .connectionError(let error):
            seen.append(.connectionError(error.reason))
        }
    }

    func respond(_ id: UInt32, status: Int = 200) {
        let stream = HTTP2StreamID(id)
        _ = try? machine.writeHeaders(stream, status: status, fields: HTTPFields([("content-type", "text/plain")]), contentLength: responseBody.count, endStream: false, output: output)
        _ = responseBody.withUnsafeBytes { machine.writeData($0, stream: stream, endStream: true, output: output) }
        machine.streamFinished(stream, output: output)
    }

    /// Takes what the server wrote since the last call, as frames.
    func frames() -> [ServerFrame] {
        let bytes = output.readableArray
        output.clear()
        written += bytes
        return parseFrames(bytes)
    }

    /// The fields of a server HEADERS block (with any CONTINUATIONs already joined).
    func decodeResponse(_ block: [UInt8]) -> [String] {
        let list = HPACKHeaderList()
        let result = block.withUnsafeBytes { bytes in Result { () throws(HPACKError) in try responseDecoder.decode(bytes, into: list, limits: .init(maxHeaderListSize: 1 << 20, maxFieldSize: 1 << 16)) } }
        guard (try? result.get()) != nil else { return ["<undecodable>"] }
        return list.strings.map { "\($0.name): \($0.value)" }
    }
}

/// Runs `input` through a fresh harness in pieces ending at `ends`: the events, and everything
/// written. With `prepare`, the harness is set up first (limits, behaviour).
func run(_ input: [UInt8], ends: [Int], limits: HTTP2Limits = HTTP2Limits(), prepare: (Harness) -> Void = { _ in }) -> (seen: [Seen], output: [UInt8]) {
    let harness = Harness(limits: limits)
    prepare(harness)
    var start = 0
    for end in ends {
        harness.feed(Array(input[start..<end]))
        start = end
    }
    return (harness.seen, harness.output.readableArray)
}

/// Feeds `input` whole, split in two at every offset, and one byte at a time; expects the same
/// events and output every way, and returns the whole run's.
@discardableResult
func expectSameAtEverySplit(
    _ input: [UInt8], limits: HTTP2Limits = HTTP2Limits(), prepare: (Harness) -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
) -> (seen: [Seen], output: [UInt8]) {
    let whole = run(input, ends: [input.count], limits: limits, prepare: prepare)
    for offset in 0...input.count {
        let split = run(input, ends: [offset, input.count], limits: limits, prepare: prepare)
        if split.seen != whole.seen || split.output != whole.output {
            Issue.record("split at \(offset): \(split.seen), whole: \(whole.seen)", sourceLocation: sourceLocation)
            return whole
        }
    }
    let trickled = run(input, ends: Array(0...input.count), limits: limits, prepare: prepare)
    #expect(trickled.seen == whole.seen && trickled.output == whole.output, "one byte at a time", sourceLocation: sourceLocation)
    return whole
}

func limits(_ configure: (inout HTTP2Limits) -> Void) -> HTTP2Limits {
    var limits = HTTP2Limits()
    configure(&limits)
    return limits
}

