import HostctlCore
import Synchronization

/// A layer that changes nothing but copies every byte through buffers of its own, both ways,
/// as a TLS layer does with its records: proof that something can sit between a transport and
/// the protocol (a handler toward the transport, a transport toward the protocol) and the
/// servers behave the same. The integration suite runs with it on both transports.
public struct PassThroughLayerFactory: ConnectionLayerFactory {
    /// Layers made so far, by every factory (a test checks that its connections went through one).
    public static var layersMade: Int { made.load(ordering: .relaxed) }
    private static let made = Atomic<Int>(0)

    public init() {}

    public func makeLayer(
        over transport: ConnectionTransport, on loop: EventLoopContext, above: @escaping (ConnectionTransport) -> ServedConnection
    ) -> ServedConnection {
        Self.made.wrappingAdd(1, ordering: .relaxed)
        let layer = PassThroughLayer(below: transport)
        layer.above = above(layer)
        return layer
    }
}

/// Loop-confined, like every handler and transport.
public final class PassThroughLayer: ServedConnection, ConnectionTransport {
    let below: ConnectionTransport
    var above: ServedConnection!

    /// What the transport below reads into (the layer's "records").
    private var inbound = ByteBuffer(capacity: 2048)
    /// Bytes the protocol above had no room for: held until it resumes reading.
    private var held = ByteBuffer()
    private var abovePaused = false
    private var inputClosedPending = false

    /// What the layer sends below: a copy of the protocol's buffer, so the two are never the same.
    private var outbound: ByteBuffer? = ByteBuffer(capacity: 2048)
    /// The protocol's buffer whose bytes are in flight below, handed back when they are sent.
    private var sending: ByteBuffer?
    private var closed = false

    init(below: ConnectionTransport) {
        self.below = below
    }

    // MARK: Toward the transport below

    public func receiveBuffer() -> ByteBuffer? {
        // While the protocol holds all it may, this layer stops reading too.
        guard !abovePaused else { return nil }
        inbound.clear()
        inbound.reserveWritable(2048)
        return inbound
    }

    public func didReceive(_ count: Int) {
        held.append(inbound.readableBytes)
        inbound.clear()
        deliverHeld()
    }

    /// Hands held bytes to the protocol until it takes no more.
    private func deliverHeld() {
        while !held.isEmpty, !closed {
            guard let buffer = above.receiveBuffer() else {
                abovePaused = true
                return
            }
            let count = min(buffer.writableCount, held.readableCount)
            buffer.writableBytes.baseAddress!.copyMemory(from: held.readableBytes.baseAddress!, byteCount: count)
            buffer.didWrite(count)
            held.consume(count)
            above.didReceive(count)
        }
        if held.isEmpty, inputClosedPending, !closed {
            inputClosedPending = false
            above.inputClosed()
        }
    }

    public func sendCompleted(_ buffer: ByteBuffer) {
        buffer.clear()
        outbound = buffer
        guard let done = sending else { return }
        sending = nil
        done.consume(done.readableCount)
        above?.sendCompleted(done)
    }

    public func inputClosed() {
        if held.isEmpty { above?.inputClosed() } else { inputClosedPending = true }
    }

    public func connectionFailed(errno: Int32) { above?.connectionFailed(errno: errno) }

    public func transportClosed() {
        closed = true
        // The protocol holds this layer as its transport: letting go breaks the cycle.
        let above = self.above
        self.above = nil
        above?.transportClosed()
    }

    public func heartbeat(now: Int64) { above?.heartbeat(now: now) }
    public func beginDraining() { above?.beginDraining() }
    public func abort(reason: String) { above?.abort(reason: reason) }

    // MARK: Toward the protocol above

    public func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        guard !closed, let copy = outbound else { return nil }
        precondition(sending == nil, "one send at a time")
        outbound = nil
        copy.append(buffer.readableBytes)
        if let returned = below.send(copy) {
            returned.clear()
            outbound = returned
            buffer.consume(buffer.readableCount)
            return buffer
        }
        sending = buffer
        return nil
    }

    public var sentByteCount: Int { below.sentByteCount }

    public func resumeReading() {
        guard abovePaused else { return }
        abovePaused = false
        deliverHeld()
        if !abovePaused { below.resumeReading() }
    }

    public func replaceHandler(with handler: ServedConnection) {
        above = handler
    }

    public func close() { below.close() }
    public func shutdownOutput() { below.shutdownOutput() }
    public func reset() { below.reset() }
    public var localAddress: SocketAddress? { below.localAddress }
    public var remoteAddress: SocketAddress? { below.remoteAddress }
    public var tls: TLSConnectionInfo? { below.tls }
}
