// libFuzzer entry point for the HTTP/2 connection state machine, driven the way the per-stream
// driver will drive it: a client's frames (hand-made, raw, or valid requests with HPACK), the
// app's answers (heads, bodies cut by the windows, reads, resets, finished streams), heartbeats,
// sends that drain the output, a graceful shutdown. Any sequence must end in events and frames,
// never a trap, a hang or a memory error, and the state machine's bounds must hold throughout:
// tracked and open streams, the output it lets pile up, the header block it buffers.
//
// The first input byte picks the limits (Kestrel's, or tiny ones that reach every defence) and
// whether the client starts properly; then operations follow, one byte each plus their operands.

private final class FuzzClient {
    let encoder = HPACKEncoder()
    var bytes: [UInt8] = []

    func frame(_ type: UInt8, _ flags: UInt8, _ stream: UInt32, _ payload: UnsafeRawBufferPointer) {
        let length = payload.count
        bytes += [UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF), type, flags,
                  UInt8(stream >> 24 & 0x7F), UInt8(stream >> 16 & 0xFF), UInt8(stream >> 8 & 0xFF), UInt8(stream & 0xFF)]
        bytes += payload
    }

    func request(_ stream: UInt32, _ variant: UInt8, endStream: Bool) {
        let block = ByteBuffer()
        encoder.beginBlock(into: block)
        let method = ["GET", "POST", "CONNECT", "OPTIONS"][Int(variant & 3)]
        encoder.encode(name: ":method", value: method, into: block)
        if variant & 4 == 0 {
            encoder.encode(name: ":scheme", value: "https", into: block)
            encoder.encode(name: ":path", value: variant & 8 == 0 ? "/a?b" : "*", into: block)
        }
        encoder.encode(name: ":authority", value: "example.com", into: block)
        if variant & 16 != 0 { encoder.encode(name: "content-length", value: String(variant >> 5), into: block) }
        if variant & 32 != 0 { encoder.encode(name: "cookie", value: "a=b", indexing: .neverIndexed, into: block) }
        if variant & 64 != 0 { encoder.encode(name: "te", value: "trailers", into: block) }
        frame(0x1, (endStream ? 0x1 : 0) | 0x4, stream, block.readableBytes)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2Connection(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    var limits = HTTP2Limits()
    if control & 1 != 0 {
        limits.maxStreamsPerConnection = 3
        limits.initialStreamWindowSize = 65535
        limits.initialConnectionWindowSize = 65535
        limits.maxHeaderBlockSize = 300
        limits.maxContinuationFrames = 3
        limits.maxRequestHeadersTotalSize = 400
        limits.maxRequestHeaderCount = 4
        limits.maxRequestLineSize = 40
        limits.resetRate = HTTP2RateLimit(burst: 10, perSecond: 2)
        limits.refusedStreamRate = HTTP2RateLimit(burst: 3, perSecond: 1)
        limits.emptyFrameRate = HTTP2RateLimit(burst: 10, perSecond: 2)
        limits.maxPendingOutputForInput = 2000
        limits.keepAlivePingDelay = .seconds(2)
        limits.keepAlivePingTimeout = .seconds(1)
        limits.requestHeadersTimeout = .seconds(3)
    }
    let machine = HTTP2ConnectionStateMachine(limits: limits, transportScheme: control & 2 != 0 ? "https" : nil)
    let input = ByteBuffer()
    let output = ByteBuffer()
    var now: Int64 = 0
    machine.start(now: now, output: output)
    let client = FuzzClient()
    if control & 4 == 0 {
        client.bytes += Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)
        client.frame(0x4, 0, 0, UnsafeRawBufferPointer(start: nil, count: 0))
    }
    var streams: [HTTP2StreamID] = []
    // The driver's side of the contract: one final head per stream, DATA only after it.
    var answered: Set<HTTP2StreamID> = []
    var offset = 1

    func next() -> UInt8 {
        guard offset < size else { return 0 }
        defer { offset += 1 }
        return data[offset]
    }

    func pump() {
        input.append(client.bytes)
        client.bytes.removeAll(keepingCapacity: true)
        var events = 0
        while let event = machine.nextEvent(from: input, output: output) {
            events += 1
            precondition(events < 100_000, "nextEvent never stops")
            switch event {
            case .requestHead(let id, let head, _):
                precondition(head.fields.listSize <= limits.maxRequestHeadersTotalSize)
                streams.append(id)
                machine.recycle(head)
            case .data(let id, let bytes, _):
                if bytes.count > 0 && bytes.count % 2 == 0 { machine.dataConsumed(bytes.count, stream: id, output: output) }
            case .trailers(_, let list):
                machine.recycle(list)
            case .streamReset, .windowOpened, .settingsChanged, .goAway:
                break
            case .connectionError:
                precondition(machine.isClosed)
            }
            precondition(machine.trackedStreamCount <= limits.maxTrackedStreams)
            precondition(machine.openStreamCount <= limits.maxStreamsPerConnection)
            precondition(machine.headerBlockBuffer.readableCount <= limits.maxHeaderBlockSize)
        }
        if !machine.isClosed && !machine.isWaitingForOutput {
            // Whatever is left is an incomplete frame: never more than one frame's worth.
            precondition(input.readableCount < HTTP2FrameHeader.size + limits.maxFrameSize + 24)
        }
        input.compact()
    }

    while offset < size && !machine.isClosed {
        let operation = next()
        switch operation & 7 {
        case 0:
            // Raw bytes from the input.
            let count = min(Int(next()), size - offset)
            client.bytes += UnsafeRawBufferPointer(start: data + offset, count: count)
            offset += count
        case 1:
            // A frame of any type with a payload from the input.
            let type = next() % 12
            let flags = next()
            let stream = UInt32(next() & 0x1F)
            let count = min(Int(next()), size - offset)
            client.frame(type, flags, stream, UnsafeRawBufferPointer(start: data + offset, count: count))
            offset += count
        case 2:
            // A valid request (or CONNECT, OPTIONS *), on the next odd stream or an old one.
            let stream = UInt32(next() & 0x3F) * 2 + 1
            client.request(stream, next(), endStream: operation & 8 != 0)
        case 3:
            // The app answers a stream: a head, then as much body as the windows take.
            guard !streams.isEmpty else { break }
            let id = streams[Int(next()) % streams.count]
            let status = [200, 204, 404, 100, 103, 500][Int(operation >> 3) % 6]
            let fields = HTTPFields([("content-type", "text/plain"), ("X-Mixed-Case", " v "), ("connection", "close")])
            if !answered.contains(id) {
                let informational = status < 200
                let wrote = (try? machine.writeHeaders(id, status: status, fields: fields, endStream: !informational && operation & 64 != 0, output: output)) == true
                if wrote && !informational { answered.insert(id) }
            }
            if answered.contains(id) {
                let body = [UInt8](repeating: 0x62, count: Int(next()) * 300)
                _ = body.withUnsafeBytes { machine.writeData($0, stream: id, endStream: operation & 128 != 0, output: output) }
            }
        case 4:
            // The app is done with a stream, resets it, or reads.
            guard !streams.isEmpty else { break }
            let index = Int(next()) % streams.count
            let id = streams[index]
            switch operation >> 3 & 3 {
            case 0:
                machine.streamFinished(id, output: output)
                streams.remove(at: index)
            case 1:
                machine.resetStream(id, code: .cancel, output: output)
            case 2:
                machine.dataConsumed(Int(next()) * 100, stream: id, output: output)
            default:
                if answered.contains(id) {
                    _ = [UInt8]().withUnsafeBytes { machine.writeData($0, stream: id, endStream: true, output: output) }
                }
            }
        case 5:
            // Time passes.
            now += Int64(next()) * 100_000_000
            _ = machine.heartbeat(now: now, output: output)
        case 6:
            // The transport sent the output, or we begin to stop.
            if operation & 8 != 0 { machine.beginGracefulShutdown(output: output) } else { output.clear() }
        default:
            // Trailers or a body chunk for a stream the client opened.
            let stream = UInt32(next() & 0x3F) * 2 + 1
            if operation & 8 != 0 {
                let block = ByteBuffer()
                client.encoder.beginBlock(into: block)
                client.encoder.encode(name: "x-trailer", value: "1", into: block)
                client.frame(0x1, 0x5, stream, block.readableBytes)
            } else {
                let chunk = [UInt8](repeating: 0x61, count: Int(next()) * 64)
                chunk.withUnsafeBytes { client.frame(0x0, operation & 16 != 0 ? 1 : 0, stream, $0) }
            }
        }
        pump()
        // The output the state machine lets pile up while reading: its limit, plus the replies
        // one frame can call for, plus what the app wrote.
        if output.readableCount > 1 << 20 { output.clear() }
    }
    if machine.isClosed { precondition(machine.nextEvent(from: input, output: output) == nil && machine.canClose) }
    return 0
}
