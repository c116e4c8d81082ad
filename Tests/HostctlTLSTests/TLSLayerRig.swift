import HostctlCore
@testable import HostctlTLS
import Synchronization
import Testing

/// The TLS layer between a transport and a protocol that are both in memory, with an
/// OpenSSL client on the other side of the transport: what the layer tests drive by hand.
final class TLSLayerRig {
    let loop = ManualLoop()
    let below: CipherTransport
    let layer: ServedConnection
    let client: TLSTestClient
    /// Made by the layer once the handshake is done.
    private(set) var above: RecordingProtocol?
    let failures = Failures()

    init(
        _ context: TLSServerContext = TLSFixtures.defaultContext, client options: TLSTestClient.Options = .init(),
        limits: TLSLayerLimits = TLSLayerLimits(), aboveSpace: Int = 4096
    ) {
        below = CipherTransport(loop: loop)
        client = TLSTestClient(options)
        let failures = self.failures
        let factory = TLSLayerFactory(context: context, limits: limits) { failure, _ in failures.append(failure) }
        var made: RecordingProtocol?
        layer = factory.makeLayer(over: below, on: loop) { transport in
            let protocolAbove = RecordingProtocol(transport: transport, space: aboveSpace)
            made = protocolAbove
            return protocolAbove
        }
        below.handler = layer
        aboveMade = { made }
    }

    private var aboveMade: () -> RecordingProtocol? = { nil }

    /// Ciphertext from the client to the layer, in pieces of `piece` bytes; then the loop's
    /// queued work runs. Returns how many bytes the layer took (the rest wait while it is paused).
    @discardableResult
    func clientToServer(piece: Int = .max) -> Int {
        let bytes = client.takeOutput()
        var taken = 0
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + max(piece, 1))
            taken += below.deliver(Array(bytes[offset..<end]))
            offset = end
        }
        loop.run()
        above = aboveMade()
        return taken
    }

    /// What the layer sent, to the client.
    func serverToClient() {
        client.give(below.takeSent())
    }

    /// Both sides until the handshake is over (the layer's protocol is made then).
    func handshake(piece: Int = .max) {
        for _ in 0..<10 {
            client.handshake()
            clientToServer(piece: piece)
            serverToClient()
            client.handshake()
            if client.isHandshakeComplete, above != nil { return }
        }
        Issue.record("the handshake did not finish in 10 rounds: \(failures.all)")
    }

    /// Time passes and the heartbeat comes, as the server's once a second.
    func tick(seconds: Double) {
        loop.advance(seconds: seconds)
        layer.heartbeat(now: loop.now)
    }

    /// The client sends `text`; returns what reached the protocol above.
    func clientSends(_ text: String, piece: Int = .max) -> [UInt8] {
        client.write(Array(text.utf8))
        clientToServer(piece: piece)
        return above?.takeReceived() ?? []
    }
}

/// Failures the layer reported, from any thread.
final class Failures: Sendable {
    private let list = Mutex<[TLSFailure]>([])
    func append(_ failure: TLSFailure) { list.withLock { $0.append(failure) } }
    var all: [TLSFailure] { list.withLock { $0 } }
    var reasons: [TLSFailure.Reason] { all.map(\.reason) }
}

/// A loop whose clock moves by hand and whose queued work runs when asked.
final class ManualLoop: EventLoopContext, @unchecked Sendable {
    let index = 0
    var now: Int64 = 1_000_000_000
    var taskExecutor: any TaskExecutor { globalConcurrentExecutor }
    private var queued: [() -> Void] = []

    func execute(_ work: @escaping @Sendable () -> Void) { queued.append(work) }
    func afterEvents(_ work: @escaping () -> Void) { queued.append(work) }
    func later(_ work: @escaping () -> Void) { queued.append(work) }
    func localState<State: LoopLocalState>(key: Int, create: () -> State) -> State { create() }

    func run() {
        while !queued.isEmpty {
            let work = queued
            queued.removeAll()
            for item in work { item() }
        }
    }

    func advance(seconds: Double) { now += Int64(seconds * 1e9) }
}

/// The transport under the layer: collects what it sends (ciphertext), holds sends while
/// `holdsSends` (a completion transport, or a full socket), and delivers received bytes
/// the way both real transports do.
final class CipherTransport: ConnectionTransport {
    let loop: ManualLoop
    var handler: ConnectionHandler!
    private var sent: [UInt8] = []
    var holdsSends = false
    private(set) var held: ByteBuffer?
    private(set) var sentByteCount = 0
    private(set) var closed = false
    private(set) var transportClosedDelivered = false
    private(set) var outputShutDown = false
    private(set) var readingPaused = false
    private(set) var resumes = 0

    init(loop: ManualLoop) { self.loop = loop }

    var localAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 443) }
    var remoteAddress: SocketAddress? { .ipv4(address: 0x7F00_0001, port: 50000) }
    var carriesBytesUnchanged: Bool { true }

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        precondition(held == nil, "a second send while one is in flight")
        if closed { return nil }
        precondition(!outputShutDown, "a send after shutdownOutput")
        if holdsSends {
            held = buffer
            return nil
        }
        sent += buffer.readableBytes
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        return buffer
    }

    /// The send in flight completes.
    func completeHeldSend() {
        guard let buffer = held else { return }
        held = nil
        sent += buffer.readableBytes
        sentByteCount += buffer.readableCount
        buffer.consume(buffer.readableCount)
        handler.sendCompleted(buffer)
    }

    func takeSent() -> [UInt8] {
        defer { sent.removeAll() }
        return sent
    }

    /// Bytes from the network that the handler has not taken yet (as a socket keeps them).
    private var pending: [UInt8] = []

    /// Bytes from the network, as far as the handler takes them now (the rest waits, as in a
    /// socket, until reading resumes); returns how many it took.
    @discardableResult
    func deliver(_ bytes: [UInt8]) -> Int {
        pending += bytes
        pump()
        return max(0, bytes.count - pending.count)
    }

    private func pump() {
        while !pending.isEmpty, !closed {
            guard let buffer = handler.receiveBuffer() else {
                readingPaused = true
                return
            }
            let count = min(buffer.writableCount, pending.count)
            precondition(count > 0, "a receive buffer without room")
            pending.withUnsafeBytes { buffer.writableBytes.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: count) }
            pending.removeFirst(count)
            buffer.didWrite(count)
            handler.didReceive(count)
        }
    }

    func endInput() {
        handler.inputClosed()
        loop.run()
    }

    func resumeReading() {
        readingPaused = false
        resumes += 1
        loop.later { [self] in pump() }
    }

    func replaceHandler(with handler: ServedConnection) { self.handler = handler }

    func close() {
        guard !closed else { return }
        closed = true
        held = nil
        // As the real transports: the handler is told, then let go.
        loop.later { [self] in
            transportClosedDelivered = true
            handler.transportClosed()
            handler = nil
        }
    }

    func shutdownOutput() { outputShutDown = true }
    func reset() { close() }
}

/// The protocol above the layer: records the plaintext it is given and what else it is told.
final class RecordingProtocol: ServedConnection {
    let transport: ConnectionTransport
    let space: Int
    private let buffer = ByteBuffer()
    private var received: [UInt8] = []
    /// Returns no receive buffer while set (a protocol holding all it may).
    var stalls = false
    private(set) var inputClosedCount = 0
    private(set) var transportClosedCount = 0
    private(set) var heartbeats = 0
    private(set) var drained = false
    private(set) var abortReason: String?
    /// Buffers the transport handed back later (through `sendCompleted`).
    private(set) var completedSends: [ByteBuffer] = []

    init(transport: ConnectionTransport, space: Int) {
        self.transport = transport
        self.space = space
    }

    func takeReceived() -> [UInt8] {
        defer { received.removeAll() }
        return received
    }

    func receiveBuffer() -> ByteBuffer? {
        if stalls { return nil }
        buffer.clear()
        buffer.reserveWritable(space)
        return buffer
    }

    func didReceive(_ count: Int) {
        received += buffer.readableBytes
        buffer.clear()
    }

    func sendCompleted(_ buffer: ByteBuffer) { completedSends.append(buffer) }
    func inputClosed() { inputClosedCount += 1 }
    func connectionFailed(errno: Int32) {}
    func transportClosed() { transportClosedCount += 1 }
    func heartbeat(now: Int64) { heartbeats += 1 }
    func beginDraining() { drained = true }
    func abort(reason: String) {
        abortReason = reason
        transport.close()
    }
}
