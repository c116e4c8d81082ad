import HostctlCore

/// One connection's TLS: a handler toward the transport below (ciphertext) and a transport
/// toward the protocol above (plaintext), the same code over epoll and io_uring.
///
/// In: the transport reads ciphertext into `inbound`; the engine takes it (the handshake,
/// then records) and decrypts straight into the protocol's receive buffer. While the
/// protocol holds all it may, the layer stops reading too, and the ciphertext waits.
///
/// Out: the protocol's plaintext is encrypted into one ciphertext buffer while the other is
/// with the transport (at most `recordBatch` bytes of plaintext each): the protocol's buffer
/// goes back at once when it all fits, else through `sendCompleted` once it has been
/// encrypted. So a slow reader holds two buffers of records, and the protocol sees the
/// back-pressure (and the minimum response rate watches it) as it would on a socket.
///
/// The protocol above is made when the handshake completes (by the acceptor's `makeAbove`,
/// which reads ALPN's choice from `tls`). A handshake that fails reaches nothing above: the
/// engine's answer (an alert, or the 400 to plain HTTP) is sent, output is shut down, and
/// what the client still sends is read and dropped for a moment before the close (a
/// lingering close), so the answer is not lost to a reset.
///
/// Loop-confined, like every handler and transport.
final class TLSLayer: ServedConnection, ConnectionTransport {
    /// Plaintext encrypted into one ciphertext buffer before it is sent: four full records,
    /// so a large body costs a send per 64 KiB, and a slow reader holds two of them.
    static let recordBatch = 64 * 1024
    /// Room asked of the receive buffer: a whole record (16 KiB and its overhead) per read.
    static let receiveSize = 16 * 1024 + 512

    enum Phase {
        case handshaking
        case established
        /// The protocol closed: the records already made and close_notify are being sent;
        /// then the transport closes.
        case closing(since: Int64)
        /// The connection failed: its answer is being sent; then output shuts down and the
        /// layer lingers.
        case failing(since: Int64)
        /// Output is shut down; input is read and dropped until the client closes, or
        /// `until`, or `lingerBytes` have come.
        case lingering(until: Int64)
        case closed
    }

    let below: ConnectionTransport
    let loop: EventLoopContext
    let factory: TLSLayerFactory
    private let engine: TLSServerConnection?
    @exclusivity(unchecked) private var phase = Phase.handshaking
    @exclusivity(unchecked) private var makeAbove: ((ConnectionTransport) -> ServedConnection)?
    @exclusivity(unchecked) private var above: ServedConnection?
    @exclusivity(unchecked) private(set) var tls: TLSConnectionInfo?
    @exclusivity(unchecked) private var acceptedAt: Int64

    // Ciphertext in
    private let inbound = ByteBuffer()
    @exclusivity(unchecked) private var bytesReceived = 0
    /// The protocol returned no receive buffer: it resumes reading when it has room.
    @exclusivity(unchecked) private var aboveStalled = false
    /// This layer returned no receive buffer to the transport below.
    @exclusivity(unchecked) private var readingPaused = false
    /// The transport reported the peer's FIN, or the peer sent close_notify.
    @exclusivity(unchecked) private var peerInputEnded = false
    @exclusivity(unchecked) private var inputClosedDelivered = false
    @exclusivity(unchecked) private var discarded = 0

    // Ciphertext out
    /// Where records are written; sent when the transport has no send in flight.
    @exclusivity(unchecked) private var filling = ByteBuffer()
    /// The records with the transport below.
    @exclusivity(unchecked) private var sending: ByteBuffer?
    @exclusivity(unchecked) private var spare: ByteBuffer?
    /// The protocol's buffer, part of it not yet encrypted (both ciphertext buffers were busy).
    @exclusivity(unchecked) private var plaintext: ByteBuffer?
    /// Bytes moved since the last heartbeat: an idle connection gives its buffers back.
    @exclusivity(unchecked) private var active = true

    init(below: ConnectionTransport, loop: EventLoopContext, factory: TLSLayerFactory, makeAbove: @escaping (ConnectionTransport) -> ServedConnection) {
        self.below = below
        self.loop = loop
        self.factory = factory
        self.makeAbove = makeAbove
        acceptedAt = loop.now
        do {
            engine = try TLSServerConnection(context: factory.context)
        } catch {
            // (Out of memory in OpenSSL.) Closed once the transport has attached this
            // handler, so the close reaches the server's count of connections.
            engine = nil
            factory.onFailure?(error, below.remoteAddress)
            loop.afterEvents { [self] in
                phase = .closed
                below.close()
            }
        }
    }

    // MARK: Toward the transport below: input

    func receiveBuffer() -> ByteBuffer? {
        switch phase {
        case .handshaking, .established:
            if aboveStalled {
                readingPaused = true
                return nil
            }
            inbound.compact()
        case .closing, .failing, .lingering:
            inbound.clear()  // read to be dropped
        case .closed:
            return nil
        }
        inbound.reserveWritable(Self.receiveSize)
        return inbound
    }

    func didReceive(_ count: Int) {
        active = true
        bytesReceived += count
        switch phase {
        case .handshaking:
            advanceHandshake()
        case .established:
            deliverPlaintext()
        case .closing, .failing:
            inbound.clear()
        case .lingering:
            inbound.clear()
            discarded += count
            if discarded >= factory.limits.lingerBytes { closeBelow() }
        case .closed:
            break
        }
    }

    func inputClosed() {
        peerInputEnded = true
        switch phase {
        case .handshaking:
            guard let engine else { return }
            fail(engine.inputEnded() ?? TLSFailure(.closedDuringHandshake))
        case .established:
            deliverPlaintext()
        case .lingering:
            closeBelow()
        case .closing, .failing, .closed:
            break
        }
    }

    func connectionFailed(errno: Int32) {
        if let above {
            above.connectionFailed(errno: errno)
        } else if case .handshaking = phase {
            factory.onFailure?(TLSFailure(.closedDuringHandshake), below.remoteAddress)
        }
    }

    func transportClosed() {
        phase = .closed
        plaintext = nil
        sending = nil
        spare = nil
        filling.release()
        inbound.release()
        makeAbove = nil
        // The protocol holds this layer as its transport: letting go breaks the cycle, and
        // both go once the server lets go of the connection.
        let above = self.above
        self.above = nil
        above?.transportClosed()
    }

    // MARK: The handshake

    private func advanceHandshake() {
        guard let engine else { return }
        let complete: Bool
        do {
            complete = try engine.handshake(input: inbound, output: filling)
        } catch {
            fail(error)
            return
        }
        flush()
        guard complete, case .handshaking = phase, let makeAbove else { return }
        tls = engine.info
        phase = .established
        self.makeAbove = nil
        above = makeAbove(self)
        // A client's request often travels with its Finished: it is in the input already.
        deliverPlaintext()
    }

    // MARK: Plaintext up

    /// Decrypts into the protocol's buffer while there is ciphertext and the protocol takes
    /// it; then passes on the end of input once everything before it is delivered.
    private func deliverPlaintext() {
        guard let engine, above != nil else { return }
        var output = false
        reading: while case .established = phase, !aboveStalled, !inputClosedDelivered {
            guard !inbound.isEmpty || engine.hasBufferedData else { break }
            // Read each time: the protocol may hand the connection over (`replaceHandler`).
            guard let above else { break }
            guard let target = above.receiveBuffer() else {
                aboveStalled = true
                break
            }
            let space = target.writableBytes
            guard !space.isEmpty else {
                aboveStalled = true
                break
            }
            let result: TLSServerConnection.ReadResult
            do {
                result = try engine.read(input: inbound, into: space, output: filling)
            } catch {
                fail(error)
                return
            }
            if !filling.isEmpty { output = true }
            switch result {
            case .plaintext(let count):
                target.didWrite(count)
                above.didReceive(count)
            case .needsInput:
                break reading
            case .closed:
                peerInputEnded = true
                inbound.clear()  // nothing after close_notify counts
                break reading
            }
        }
        if output { flush() }
        if inbound.isEmpty { inbound.clear() }
        // Whatever the engine still holds now is part of a record that will never be
        // completed: the protocol's framing judges the truncation.
        if peerInputEnded, !aboveStalled, !inputClosedDelivered, case .established = phase, let above {
            inputClosedDelivered = true
            above.inputClosed()
        }
    }

    // MARK: Ciphertext out

    /// Hands the filled ciphertext buffer to the transport when it has no send in flight.
    private func flush() {
        guard sending == nil, !filling.isEmpty else { return }
        if case .closed = phase { return }
        let buffer = filling
        filling = spare ?? ByteBuffer()
        spare = nil
        active = true
        if let returned = below.send(buffer) {
            returned.clear()
            spare = returned
        } else {
            sending = buffer
        }
    }

    /// Encrypts the protocol's bytes while a ciphertext buffer can take them: the one being
    /// filled may hold up to `recordBatch` bytes while the other is with the transport.
    /// Returns true when `source` was consumed.
    private func encrypt(_ source: ByteBuffer) -> Bool {
        guard let engine else { return false }
        while !source.isEmpty {
            if filling.readableCount >= Self.recordBatch {
                flush()
                if filling.readableCount >= Self.recordBatch { return false }
            }
            let count = min(source.readableCount, Self.recordBatch - filling.readableCount)
            do {
                try engine.write(UnsafeRawBufferPointer(rebasing: source.readableBytes[..<count]), output: filling)
            } catch {
                fail(error)
                return false
            }
            source.consume(count)
        }
        flush()
        return true
    }

    func sendCompleted(_ buffer: ByteBuffer) {
        buffer.clear()
        sending = nil
        if case .closed = phase { return }
        spare = buffer
        flush()
        if let pending = plaintext, case .established = phase, encrypt(pending) {
            plaintext = nil
            above?.sendCompleted(pending)
        }
        outputDrained()
    }

    /// What follows once every record is sent: the close a closing or failing connection waits for.
    private func outputDrained() {
        guard sending == nil, filling.isEmpty else { return }
        switch phase {
        case .closing:
            closeBelow()
        case .failing:
            phase = .lingering(until: loop.now + factory.limits.lingerTime)
            inbound.clear()
            below.shutdownOutput()
            if peerInputEnded { closeBelow() }
        default:
            break
        }
    }

    // MARK: Ending

    /// Reports `failure`, then sends what the engine answered and lingers; with nothing to
    /// answer (a timeout, a client that closed), closes at once.
    private func fail(_ failure: TLSFailure) {
        switch phase {
        case .closed, .failing, .lingering: return
        default: break
        }
        factory.onFailure?(failure, below.remoteAddress)
        plaintext = nil
        inbound.clear()
        guard sending != nil || !filling.isEmpty else {
            closeBelow()
            return
        }
        phase = .failing(since: loop.now)
        flush()
        outputDrained()
    }

    private func closeBelow() {
        if case .closed = phase { return }
        phase = .closed
        below.close()
    }

    // MARK: ServedConnection

    func heartbeat(now: Int64) {
        switch phase {
        case .handshaking:
            let elapsed = now - acceptedAt
            if elapsed > factory.limits.handshakeTimeout {
                fail(TLSFailure(.handshakeTimedOut))
            } else if let rate = factory.limits.minimumHandshakeRate, elapsed > rate.grace, engine?.hasBufferedData == true,
                      Double(bytesReceived) < rate.bytesPerSecond * Double(elapsed) / 1e9 {
                fail(TLSFailure(.handshakeTooSlow))
            }
        case .established:
            above?.heartbeat(now: now)
            releaseIdleBuffers()
        case .closing(let since), .failing(let since):
            if now - since > factory.limits.closeFlushLimit { closeBelow() }
        case .lingering(let until):
            if now >= until { closeBelow() }
        case .closed:
            break
        }
    }

    /// Gives the buffers back when nothing has moved for a heartbeat: an idle keep-alive
    /// connection holds its engine and nothing else (OpenSSL drops its own record buffers
    /// whenever they are empty: SSL_MODE_RELEASE_BUFFERS).
    private func releaseIdleBuffers() {
        defer { active = false }
        guard !active, sending == nil, plaintext == nil, filling.isEmpty, inbound.isEmpty, !aboveStalled else { return }
        if inbound.capacity > 0 { inbound.release() }
        if filling.capacity > 0 { filling.release() }
        spare = nil
        engine?.releaseBuffers()
    }

    /// The memory the layer's own buffers hold now (OpenSSL's aside).
    var bufferedCapacity: Int { inbound.capacity + filling.capacity + (spare?.capacity ?? 0) + (sending?.capacity ?? 0) }

    func beginDraining() {
        if let above {
            above.beginDraining()
        } else if case .handshaking = phase {
            // A handshake in progress would bring a request the stopping server cannot take.
            closeBelow()
        }
    }

    func abort(reason: String) {
        if let above { above.abort(reason: reason) } else { closeBelow() }
    }

    // MARK: Toward the protocol above

    /// The protocol hands the connection to another (HTTP/1.1 to HTTP/2 on a client
    /// preface; over TLS, ALPN usually settles it first).
    func replaceHandler(with handler: ServedConnection) {
        guard above != nil else { return }
        above = handler
    }

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        // After a close the real transports take the buffer and drop it; so does this layer.
        guard case .established = phase else { return nil }
        precondition(plaintext == nil, "one send at a time")
        active = true
        if encrypt(buffer) { return buffer }
        if case .established = phase { plaintext = buffer }
        return nil
    }

    /// Ciphertext bytes the transport has sent: they move as the kernel takes them, so the
    /// protocol's minimum response rate sees a slow reader (records add about 22 bytes per
    /// 16 KiB, well inside any rate's margin).
    var sentByteCount: Int { below.sentByteCount }

    func resumeReading() {
        guard aboveStalled else { return }
        aboveStalled = false
        deliverPlaintext()
        if !aboveStalled, readingPaused {
            readingPaused = false
            below.resumeReading()
        }
    }

    /// Sends the records already made and close_notify, then closes the transport. The
    /// protocol's send not yet encrypted is dropped, as a socket drops unsent bytes.
    func close() {
        switch phase {
        case .established:
            guard let engine else { return closeBelow() }
            phase = .closing(since: loop.now)
            plaintext = nil
            engine.close(output: filling)
            flush()
            outputDrained()
        case .handshaking, .failing, .lingering:
            closeBelow()
        case .closing, .closed:
            break
        }
    }

    /// close_notify, then the transport's FIN once the records are out; reading goes on.
    func shutdownOutput() {
        guard case .established = phase, let engine else { return }
        engine.close(output: filling)
        flush()
        below.shutdownOutput()
    }

    func reset() {
        if case .closed = phase { return }
        phase = .closed
        below.reset()
    }

    var localAddress: SocketAddress? { below.localAddress }
    var remoteAddress: SocketAddress? { below.remoteAddress }
    /// Records are not the bytes sent: files go through the copy path over TLS.
    var carriesBytesUnchanged: Bool { false }
}
