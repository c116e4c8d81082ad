import CHostctlIOUring
import CHostctlLinux
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
    /// The rest of a file region that sendfile(2) could not finish at once, and whether a
    /// poll for writability is in flight for it.
    @exclusivity(unchecked) private var fileSend: FileRegion?
    @exclusivity(unchecked) private var awaitingWritable = false
    /// The socket is O_NONBLOCK, for sendfile(2): set by a file send, cleared only before a
    /// send through the ring (which wants a blocking socket), so a connection serving file
    /// after file pays for neither change per response.
    @exclusivity(unchecked) private var nonBlocking = false
    /// The descriptor's status flags as accepted (blocking), read once, at the first file send.
    @exclusivity(unchecked) private var blockingFlags: Int32 = -1
    /// From `prepareToSendFile` to `sendFile`: what is sent carries MSG_MORE.
    @exclusivity(unchecked) private var headBeforeFile = HeadBeforeFile()
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
    /// `shutdownOutput` was asked for while a send was in flight: the FIN follows it.
    @exclusivity(unchecked) private var shutdownAfterSend = false

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

    func complete(_ operation: CompletionTag.Operation, result: Int32, flags: UInt32, on loop: IOUringLoop) {
        switch operation {
        case .receive: receiveCompleted(result, flags: flags, loop: loop)
        case .send: sendCompleted(result)
        case .connect: connectCompleted(result)
        case .writable: writableCompleted(result)
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

    private func receiveCompleted(_ result: Int32, flags: UInt32, loop: IOUringLoop) {
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
            case EAGAIN:
                // Met the socket non-blocking (files leave it so) where the kernel expected
                // it to block: nothing was read; read on.
                armReceive()
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
        // A send(2) first, as on epoll: when the socket has room (nearly always, for a
        // response) the bytes are out at once, and the ring is spared a send request, the
        // task work that completes it and its completion, which cost more than the call.
        // What the socket cannot take now goes through the ring and completes later.
        if sendDirectly(buffer) { return buffer }
        if closing { return nil }
        sending = buffer
        submitSend(buffer)
        return nil
    }

    /// Writes as much as the socket takes now; true when all of it went.
    private func sendDirectly(_ buffer: ByteBuffer) -> Bool {
        while !buffer.isEmpty {
            let bytes = buffer.readableBytes
            let count = Glibc.send(descriptor, bytes.baseAddress, bytes.count, headBeforeFile.sendFlags | Int32(MSG_DONTWAIT))
            if count > 0 {
                buffer.consume(count)
                sentByteCount += count
                continue
            }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno != EAGAIN, errno != EWOULDBLOCK { fail(errno) }
            return false
        }
        return true
    }

    private func submitSend(_ buffer: ByteBuffer) {
        setNonBlocking(false)
        let bytes = buffer.readableBytes
        chu_prep_send(loop.uring.nextSubmission(), descriptor, bytes.baseAddress, UInt32(clamping: bytes.count), headBeforeFile.sendFlags, tag(.send))
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
                if shutdownAfterSend { shutdownOutput() }
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

    var carriesBytesUnchanged: Bool { true }

    /// A direct shutdown(2) rather than an IORING_OP_SHUTDOWN: it is rare (a lingering
    /// close), it never blocks, and no operation of the ring can be reordered around it
    /// once the send before it has completed.
    func shutdownOutput() {
        guard !closing else { return }
        if sending != nil || fileSend != nil || sendAfterConnect != nil || connecting != nil {
            shutdownAfterSend = true
            return
        }
        shutdownAfterSend = false
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
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
        if receiving || sending != nil || connectAddress != nil || awaitingWritable {
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
        guard closing, !closed, !receiving, sending == nil, connectAddress == nil, !awaitingWritable else { return }
        closed = true
        Glibc.close(descriptor)
        fileSend = nil
        loop.unregister(slot: slot)
        // Told after the current call unwinds, so a handler that closes is not re-entered.
        let handler = self.handler
        self.handler = nil
        loop.runSoon { handler?.transportClosed() }
    }

    // MARK: Sending files

    /// sendfile(2) from the loop's thread, as on epoll, until the region is out or the socket
    /// is full; then a poll on the ring says when it can take more. The bytes never enter user
    /// space. (IORING_OP_SPLICE through a pipe, tried first, runs on io-wq worker threads: a
    /// hand-over each way for every 64 KiB, which made a 1 MiB file cost 50 % more CPU than
    /// sendfile(2); a zero-copy send would still need the bytes read into memory first.)
    var canSendFiles: Bool { connecting == nil }

    func prepareToSendFile() { headBeforeFile.expectFile() }

    func sendFile(_ file: Int32, offset: Int64, count: Int) -> FileSendResult {
        guard !closing else { return .failed(EPIPE) }
        precondition(sending == nil && fileSend == nil, "one send at a time")
        if connecting != nil { return .unsupported }
        headBeforeFile.fileStarts(count: count, on: descriptor)
        return writeFile(FileRegion(file: file, offset: offset, count: count))
    }

    /// sendfile(2) until the region is out (`.sent`) or the socket is full (`.pending`, a
    /// poll for writability submitted). A file shorter than its region is an error: the
    /// response would be cut.
    private func writeFile(_ region: FileRegion) -> FileSendResult {
        var region = region
        // sendfile(2) has no per-call flag, so the socket itself turns non-blocking, and
        // stays so until a send goes through the ring (see `setNonBlocking`).
        setNonBlocking(true)
        let progress = region.send(to: descriptor, sent: &sentByteCount)
        switch progress {
        case .done:
            return .sent
        case .socketFull:
            fileSend = region
            awaitingWritable = true
            chu_prep_poll_add(loop.uring.nextSubmission(), descriptor, UInt32(POLLOUT), tag(.writable))
            return .pending
        case .failed(let code):
            fail(code)
            return .failed(code)
        }
    }

    private func writableCompleted(_ result: Int32) {
        awaitingWritable = false
        guard !closing, let region = fileSend else {
            finishClosingIfIdle()
            return
        }
        fileSend = nil
        if result < 0 {
            fail(-result)
            return
        }
        switch writeFile(region) {
        case .sent:
            if shutdownAfterSend { shutdownOutput() }
            handler?.fileSendCompleted(error: nil)
        case .pending, .failed, .unsupported:
            break  // waiting again, or failed (the handler hears of it as the connection fails)
        }
    }

    /// The ring's sends want a blocking socket: a send the kernel hands to an io-wq worker
    /// (after a poll it armed woke without room) issues blocking, and on an O_NONBLOCK
    /// socket that is a loop of EAGAINs on the worker instead of a sleep. Everything else
    /// this connection does works either way (its own send(2)s pass MSG_DONTWAIT; a receive
    /// that meets EAGAIN is armed again), so the flag changes only between a file and a ring
    /// send: a keep-alive connection serving files turns non-blocking once, not twice a
    /// response (three fcntl(2)s a file before).
    private func setNonBlocking(_ on: Bool) {
        guard nonBlocking != on, !closed else { return }
        if blockingFlags < 0 { blockingFlags = fcntl(descriptor, F_GETFL) & ~O_NONBLOCK }
        nonBlocking = on
        _ = fcntl(descriptor, F_SETFL, on ? blockingFlags | O_NONBLOCK : blockingFlags)
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
