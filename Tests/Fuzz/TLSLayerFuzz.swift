// libFuzzer entry point for the TLS layer (HostctlTLS's TLSLayer) between a transport and a
// protocol, both in memory: the input is a script of events, each a control byte and
// (for deliveries) the bytes that follow: ciphertext in chunks, the client's FIN, heartbeats
// with time passing, a protocol that stalls and resumes, sends from the protocol (held or
// completed at once, as io_uring and epoll do), a close. The layer must never trap or hang,
// never make a protocol before a handshake completed, never send after the transport closed
// or shut down its output, and never have two sends in flight.
//
// Half the runs start from a connection already established with a real OpenSSL client, so
// the record layer after the handshake is reached with bytes no client would send.

import CHostctlOpenSSL
import HostctlCore
import HostctlTLS

private let context: TLSServerContext = {
    let certificate = try! DevelopmentCertificate.make()
    return try! TLSServerContext(configuration: TLSServerConfiguration(), certificates: TLSCertificateStore(certificate: certificate))
}()

nonisolated(unsafe) private let clientContext: OpaquePointer = SSL_CTX_new(TLS_client_method())!

private final class FuzzLoop: EventLoopContext, @unchecked Sendable {
    let index = 0
    var now: Int64 = 1_000_000_000
    var taskExecutor: any TaskExecutor { globalConcurrentExecutor }
    var work: [() -> Void] = []
    func execute(_ work: @escaping @Sendable () -> Void) { self.work.append(work) }
    func afterEvents(_ work: @escaping () -> Void) { self.work.append(work) }
    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State { create() }

    func run() {
        for _ in 0..<1000 where !work.isEmpty {
            let batch = work
            work.removeAll()
            for item in batch { item() }
        }
        if !work.isEmpty { fatalError("the layer kept queueing work") }
    }
}

private final class FuzzTransport: ConnectionTransport {
    let loop: FuzzLoop
    var handler: ConnectionHandler?
    var holdsSends = false
    var held: ByteBuffer?
    var sentByteCount = 0
    var sent: [UInt8] = []
    var closed = false
    var outputShutDown = false
    var readingPaused = false

    init(loop: FuzzLoop) { self.loop = loop }

    var localAddress: SocketAddress? { nil }
    var remoteAddress: SocketAddress? { nil }

    func replaceHandler(with handler: ServedConnection) { self.handler = handler }

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        if held != nil { fatalError("two sends in flight") }
        if closed { return nil }
        if outputShutDown { fatalError("a send after shutdownOutput") }
        if holdsSends {
            held = buffer
            return nil
        }
        sent += buffer.readableBytes
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        return buffer
    }

    func completeHeldSend() {
        guard let buffer = held, !closed else { return }
        held = nil
        sent += buffer.readableBytes
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        handler?.sendCompleted(buffer)
    }

    func deliver(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count, !closed {
            guard let handler, let buffer = handler.receiveBuffer() else {
                readingPaused = true
                return
            }
            let count = min(buffer.writableCount, bytes.count - offset)
            if count <= 0 { fatalError("a receive buffer without room") }
            buffer.writableBytes.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
            buffer.didWrite(count)
            offset += count
            handler.didReceive(count)
        }
    }

    func resumeReading() { readingPaused = false }
    func shutdownOutput() { outputShutDown = true }
    func reset() { close() }

    func close() {
        guard !closed else { return }
        closed = true
        held = nil
        // As the real transports: the handler is told, then let go.
        loop.work.append { [self] in
            handler?.transportClosed()
            handler = nil
        }
    }
}

private final class FuzzProtocol: ServedConnection {
    let transport: ConnectionTransport
    let buffer = ByteBuffer()
    var stalls = false
    var inFlight: ByteBuffer?
    var closed = false

    init(transport: ConnectionTransport) { self.transport = transport }

    func receiveBuffer() -> ByteBuffer? {
        if stalls { return nil }
        buffer.clear()
        buffer.reserveWritable(64)
        return buffer
    }

    func didReceive(_ count: Int) {
        if count <= 0 || count > buffer.readableCount { fatalError("delivered \(count) of \(buffer.readableCount)") }
        buffer.clear()
    }

    func send(_ size: Int) {
        guard inFlight == nil, !closed else { return }
        let output = ByteBuffer()
        output.append([UInt8](repeating: 0x61, count: size))
        if transport.send(output) == nil { inFlight = output }
    }

    func sendCompleted(_ buffer: ByteBuffer) {
        if buffer !== inFlight { fatalError("a buffer handed back that was not in flight") }
        inFlight = nil
    }

    func inputClosed() {}
    func connectionFailed(errno: Int32) {}
    func transportClosed() { closed = true }
    func heartbeat(now: Int64) {}
    func beginDraining() {}
    func abort(reason: String) { transport.close() }
}

/// A client handshake against the layer, over the fuzz transport, until the layer has made
/// its protocol (`established`).
private func establish(_ transport: FuzzTransport, _ loop: FuzzLoop, established: () -> Bool) -> Bool {
    let client = SSL_new(clientContext)!
    defer { SSL_free(client) }
    let fromServer = BIO_new(BIO_s_mem())!
    let toServer = BIO_new(BIO_s_mem())!
    SSL_set_bio(client, fromServer, toServer)
    SSL_set_connect_state(client)
    var chunk = [UInt8](repeating: 0, count: 16384)
    for _ in 0..<8 {
        _ = SSL_do_handshake(client)
        while case let count = BIO_read(toServer, &chunk, Int32(chunk.count)), count > 0 {
            chunk.withUnsafeBytes { transport.deliver(UnsafeRawBufferPointer(rebasing: $0[0..<Int(count)])) }
        }
        loop.run()
        if !transport.sent.isEmpty { _ = BIO_write(fromServer, transport.sent, Int32(transport.sent.count)) }
        transport.sent.removeAll()
        if established() { return true }
    }
    return false
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ count: Int) -> Int32 {
    guard count > 0 else { return 0 }
    let loop = FuzzLoop()
    let transport = FuzzTransport(loop: loop)
    var above: FuzzProtocol?
    let layer = TLSLayerFactory(context: context).makeLayer(over: transport, on: loop) { protocolTransport in
        let made = FuzzProtocol(transport: protocolTransport)
        above = made
        return made
    }
    transport.handler = layer
    if data[0] & 1 == 1, !establish(transport, loop, established: { above != nil }) { fatalError("the handshake with a real client failed") }
    var offset = 1
    var steps = 0
    while offset < count, steps < 256 {
        steps += 1
        let control = data[offset]
        offset += 1
        switch control & 0x7 {
        case 0, 1, 2:  // deliver the next bytes, up to a length from the control byte
            let length = min(count - offset, Int(control >> 3) * 8 + 1)
            transport.deliver(UnsafeRawBufferPointer(start: data + offset, count: length))
            offset += length
        case 3:
            if !transport.closed { transport.handler?.inputClosed() }
        case 4:
            loop.now += Int64(control >> 3) * 500_000_000
            if !transport.closed { layer.heartbeat(now: loop.now) }
        case 5:
            above?.stalls.toggle()
            if above?.stalls == false, !transport.closed { above?.transport.resumeReading() }
        case 6:
            transport.holdsSends = control & 0x8 != 0
            above?.send(Int(control >> 4) * 9000 + 1)
        default:
            if control & 0x8 != 0 { transport.completeHeldSend() } else { above?.transport.close() }
        }
        loop.run()
    }
    if above != nil, above!.transport.tls == nil { fatalError("a protocol made without a handshake") }
    // The connection ends, as every one does: nothing of it may be left (LeakSanitizer).
    if !transport.closed {
        transport.close()
        loop.run()
    }
    return 0
}
