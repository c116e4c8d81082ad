import CHostctlIOUring
import Glibc
import HostctlCore
import HostctlTransport

/// A connected stream socket on an io_uring loop. One multishot receive stays armed while
/// the handler wants bytes; each completion's bytes are copied into the handler's receive
/// buffer and their provided buffer goes straight back. One send at a time, its short sends
/// finished here. Closing cancels what is in flight, waits for every operation's last
/// completion (the kernel may still write a receive buffer or read the send buffer until
/// then), and only then closes the descriptor and frees the slot. Accepted connections and
/// ones this side opened (`IOUringLoop.connect`, an IORING_OP_CONNECT) are the same but for
/// the wait for establishment.
final class IOUringConnection: ConnectionTransport, CompletionTarget {
    let descriptor: Int32
    unowned let loop: IOUringLoop
    @exclusivity(unchecked) private var handler: ConnectionHandler?
    @exclusivity(unchecked) private var slot = -1
    @exclusivity(unchecked) private var generation: UInt32 = 0
    /// A multishot receive is armed (its last completion has not arrived).
    @exclusivity(unchecked) private var receiving = false
    /// The handler asked for no more bytes for now.
    @exclusivity(unchecked) private var receivePaused = false
    @exclusivity(unchecked) private var cancellingReceive = false
    @exclusivity(unchecked) private var inputEnded = false
    /// Bytes that completed after the handler paused reading (a multishot receive keeps
    /// completing until its cancel lands): delivered first when reading resumes.
    @exclusivity(unchecked) private var held: ByteBuffer?
    /// The peer's FIN arrived while bytes were held: reported once they are delivered.
    @exclusivity(unchecked) private var inputClosedPending = false
    @exclusivity(unchecked) private(set) var sentByteCount = 0
    /// The send in flight: the kernel reads from this buffer until its completion.
    @exclusivity(unchecked) private var sending: ByteBuffer?
    /// Close was asked for: no new operations; the descriptor closes once none is in flight.
    @exclusivity(unchecked) private var closing = false
    @exclusivity(unchecked) private(set) var closed = false
    @exclusivity(unchecked) private var cachedRemoteAddress: SocketAddress?
    @exclusivity(unchecked) private var cachedLocalAddress: SocketAddress?
    /// Set while an outbound connect is in progress: the handler to tell when it completes.
    @exclusivity(unchecked) private var connecting: OutboundConnectionHandler?
    /// The connect operation's address, which the kernel reads until it completes.
    @exclusivity(unchecked) private var connectAddress: UnsafeMutableRawBufferPointer?
    /// Bytes sent before the connection was established: submitted once it is.
    @exclusivity(unchecked) private var sendAfterConnect: ByteBuffer?

    init(descriptor: Int32, loop: IOUringLoop, remote: SocketAddress? = nil) {
        self.descriptor = descriptor
        self.loop = loop
        self.cachedRemoteAddress = remote
    }

    /// Starts delivering bytes to `handler`.
    func start(_ handler: ConnectionHandler) {
        self.handler = handler
        (slot, generation) = loop.register(self)
        armReceive()
    }

    private func tag(_ operation: CompletionTag.Operation) -> UInt64 {
        CompletionTag(slot: slot, generation: generation, operation: operation).userData
    }

    func complete(_ operation: CompletionTag.Operation, result: Int32, flags: UInt32) {
        switch operation {
        case .receive: receiveCompleted(result, flags: flags)
        case .send: sendCompleted(result)
        case .connect: connectCompleted(result)
        case .accept, .cancel, .wake, .nop: break
        }
    }

    // MARK: Connecting

    /// Starts connecting to `address`; `handler` learns how it went.
    func connect(to address: SocketAddress, handler: OutboundConnectionHandler) {
        self.handler = handler
        connecting = handler
        (slot, generation) = loop.register(self)
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: MemoryLayout<sockaddr_storage>.size, alignment: 8)
        let length = address.withSockAddr { pointer, length in
            storage.baseAddress!.copyMemory(from: pointer, byteCount: Int(length))
            return UInt32(length)
        }
        connectAddress = storage
        chu_prep_connect(loop.uring.nextSubmission(), descriptor, storage.baseAddress, length, tag(.connect))
    }

    private func connectCompleted(_ result: Int32) {
        connectAddress?.deallocate()
        connectAddress = nil
        if closing {
            connecting = nil
        } else if result < 0 {
            fail(-result)
        } else {
            let handler = connecting
            connecting = nil
            handler?.connectionEstablished()
            if !closing {
                armReceive()
                if let waiting = sendAfterConnect {
                    sendAfterConnect = nil
                    sending = waiting
                    submitSend(waiting)
                }
            }
        }
        finishClosingIfIdle()
    }

    // MARK: Receiving

    private func armReceive() {
        guard !receiving, !closing, !inputEnded, !receivePaused, connecting == nil else { return }
        receiving = true
        chu_prep_multishot_recv(loop.uring.nextSubmission(), descriptor, loop.buffers.group, tag(.receive))
    }

    private func receiveCompleted(_ result: Int32, flags: UInt32) {
        let more = flags & UInt32(IORING_CQE_F_MORE) != 0
        if !more {
            receiving = false
            cancellingReceive = false
        }
        if result > 0 {
            let id = chu_cqe_buffer_id(flags)
            if !closing { deliver(loop.buffers.bytes(id: id, count: Int(result))) }
            loop.buffers.recycle(id)
            if !more { armReceive() }  // the kernel ended the multishot on its own: keep reading
        } else if result == 0 {
            inputEnded = true
            if held != nil {
                inputClosedPending = true
            } else if !closing {
                handler?.inputClosed()
            }
        } else {
            switch -result {
            case ENOBUFS:
                // Every buffer was taken when bytes arrived: re-arm once this batch gave some back.
                loop.receiveStarved(self)
            case ECANCELED:
                // Paused (or closing). A resume that came before this last completion found
                // the receive still armed and left it: arm again now.
                if !receivePaused { armReceive() }
            default:
                fail(-result)
            }
        }
        finishClosingIfIdle()
    }

    /// Copies received bytes into the handler's buffers, as many rounds as they take. What
    /// the handler has no room for is held (copied out, so the provided buffer can go back)
    /// and reading pauses until it asks again.
    private func deliver(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        if held == nil {
            while !rest.isEmpty, !closing, let handler {
                guard let buffer = handler.receiveBuffer() else { break }
                let count = min(buffer.writableCount, rest.count)
                precondition(count > 0, "a receive buffer without room")
                buffer.writableBytes.baseAddress!.copyMemory(from: rest.baseAddress!, byteCount: count)
                buffer.didWrite(count)
                rest = UnsafeRawBufferPointer(rebasing: rest[count...])
                handler.didReceive(count)
            }
        }
        guard !rest.isEmpty, !closing else { return }
        let held = self.held ?? ByteBuffer(capacity: rest.count)
        held.append(rest)
        self.held = held
        if !receivePaused { pauseReceiving() }
    }

    /// Hands the held bytes over once the handler has room again; true when none are left.
    private func deliverHeld() -> Bool {
        guard let bytes = held else { return true }
        held = nil
        deliver(bytes.readableBytes)
        guard held == nil else { return false }
        if inputClosedPending, !closing {
            inputClosedPending = false
            handler?.inputClosed()
        }
        return true
    }

    private func pauseReceiving() {
        receivePaused = true
        guard receiving, !cancellingReceive else { return }
        cancellingReceive = true
        chu_prep_cancel_user_data(loop.uring.nextSubmission(), tag(.receive), tag(.cancel))
    }

    func resumeReading() {
        guard receivePaused, !closing else { return }
        receivePaused = false
        // After the current call unwinds (the handler is mid-call), as on epoll.
        loop.runSoon { [self] in
            guard !receivePaused, !closing, deliverHeld() else { return }
            armReceive()
        }
    }

    func replaceHandler(with handler: ServedConnection) {
        guard !closing else { return }
        self.handler = handler
    }

    /// Buffers are back after an ENOBUFS.
    func resumeAfterStarvation() {
        armReceive()
    }

    // MARK: Sending

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        guard !closing else { return nil }
        precondition(sending == nil && sendAfterConnect == nil, "one send at a time")
        if connecting != nil {
            sendAfterConnect = buffer  // sent once established
            return nil
        }
        sending = buffer
        submitSend(buffer)
        return nil
    }

    private func submitSend(_ buffer: ByteBuffer) {
        let bytes = buffer.readableBytes
        chu_prep_send(loop.uring.nextSubmission(), descriptor, bytes.baseAddress, UInt32(clamping: bytes.count), tag(.send))
    }

    private func sendCompleted(_ result: Int32) {
        guard let buffer = sending else { return }
        if closing {
            sending = nil
        } else if result > 0 {
            buffer.consume(Int(result))
            sentByteCount += Int(result)
            if buffer.isEmpty {
                sending = nil
                handler?.sendCompleted(buffer)
            } else {
                loop.shortSends += 1
                submitSend(buffer)  // a short send: the rest goes next
            }
        } else {
            sending = nil
            fail(result == 0 ? EPIPE : -result)
        }
        finishClosingIfIdle()
    }

    // MARK: Closing

    private func fail(_ code: Int32) {
        guard !closing else { return }
        connecting = nil
        handler?.connectionFailed(errno: code)
        close()
    }

    func close() {
        guard !closing else { return }
        closing = true
        sendAfterConnect = nil
        if receiving || sending != nil || connectAddress != nil {
            chu_prep_cancel_fd(loop.uring.nextSubmission(), descriptor, tag(.cancel))
        }
        finishClosingIfIdle()
    }

    func reset() {
        guard !closing else { return }
        SocketOptions.resetOnClose(descriptor)
        close()
    }

    /// Closes the descriptor once no operation can touch it or its buffers any more.
    private func finishClosingIfIdle() {
        guard closing, !closed, !receiving, sending == nil, connectAddress == nil else { return }
        closed = true
        Glibc.close(descriptor)
        loop.unregister(slot: slot)
        // Told after the current call unwinds, so a handler that closes is not re-entered.
        let handler = self.handler
        self.handler = nil
        loop.runSoon { handler?.transportClosed() }
    }

    // MARK: Addresses (asked for lazily: a multishot accept reports none)

    var remoteAddress: SocketAddress? {
        if cachedRemoteAddress == nil { cachedRemoteAddress = SocketAddress.peer(of: descriptor) }
        return cachedRemoteAddress
    }

    var localAddress: SocketAddress? {
        if cachedLocalAddress == nil { cachedLocalAddress = SocketAddress.local(of: descriptor) }
        return cachedLocalAddress
    }
}
