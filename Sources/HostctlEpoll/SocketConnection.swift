import CHostctlLinux
import Glibc
import HostctlCore
import HostctlTransport
import HostctlSystem

/// A connected stream socket on an event loop: registered once, edge-triggered, for
/// reading and writing; reads until the kernel has nothing more, writes until done or
/// the socket is full (then the rest goes out on EPOLLOUT). Accepted connections and ones
/// this side opened (`EpollLoop.connect`) are the same but for the wait for establishment.
final class SocketConnection: ConnectionTransport, EpollRegistrant {
    let descriptor: Int32
    unowned let loop: EpollLoop
    @exclusivity(unchecked) var handler: ConnectionHandler?
    let remoteAddress: SocketAddress?
    @exclusivity(unchecked) private var cachedLocalAddress: SocketAddress?
    @exclusivity(unchecked) private var slot = -1
    @exclusivity(unchecked) private var pendingSend: ByteBuffer?
    /// The rest of a file region sendfile(2) could not finish at once.
    @exclusivity(unchecked) private var pendingFile: FileRegion?
    @exclusivity(unchecked) private(set) var sentByteCount = 0
    @exclusivity(unchecked) private var readingPaused = false
    @exclusivity(unchecked) private var inputClosed = false
    @exclusivity(unchecked) private(set) var closed = false
    /// `shutdownOutput` was asked for while a send was pending: the FIN follows it.
    @exclusivity(unchecked) private var shutdownAfterSend = false
    /// From `prepareToSendFile` to `sendFile`: what is sent carries MSG_MORE.
    @exclusivity(unchecked) private var headBeforeFile = HeadBeforeFile()
    /// Set while an outbound connect is in progress: the handler to tell when it completes.
    @exclusivity(unchecked) private var connecting: OutboundConnectionHandler?

    init(descriptor: Int32, loop: EpollLoop, remote: SocketAddress?) {
        self.descriptor = descriptor
        self.loop = loop
        self.remoteAddress = remote
    }

    var localAddress: SocketAddress? {
        if let cachedLocalAddress { return cachedLocalAddress }
        cachedLocalAddress = SocketAddress.local(of: descriptor)
        return cachedLocalAddress
    }

    /// Starts delivering events to `handler`.
    func attach(_ handler: ConnectionHandler) throws(SystemError) {
        self.handler = handler
        slot = try loop.register(self, descriptor: descriptor, events: CHL_EPOLLIN | CHL_EPOLLOUT | CHL_EPOLLRDHUP | CHL_EPOLLET)
    }

    /// Starts delivering events to a handler whose connect is in progress.
    func attachConnecting(_ handler: OutboundConnectionHandler) throws(SystemError) {
        connecting = handler
        try attach(handler)
    }

    func handle(events: UInt32) {
        if connecting != nil, !finishConnecting(events) { return }
        if events & CHL_EPOLLERR != 0 {
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
            fail(error == 0 ? ECONNRESET : error)
            return
        }
        if events & (CHL_EPOLLIN | CHL_EPOLLRDHUP | CHL_EPOLLHUP) != 0 {
            readAvailable(peerClosing: events & (CHL_EPOLLRDHUP | CHL_EPOLLHUP) != 0)
        }
        if events & CHL_EPOLLOUT != 0, !closed {
            continueSending()
        }
    }

    // MARK: Connecting

    /// The first writability or error after a non-blocking connect says how it went
    /// (connect(2): read SO_ERROR). Returns true when established, to handle the same events
    /// as on any connection (bytes may already be waiting).
    private func finishConnecting(_ events: UInt32) -> Bool {
        guard events & (CHL_EPOLLOUT | CHL_EPOLLERR | CHL_EPOLLHUP) != 0 else { return false }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &error, &length)
        if error != 0 {
            fail(error)
            return false
        }
        let handler = connecting
        connecting = nil
        handler?.connectionEstablished()
        return !closed
    }

    /// A connect refused before it could be registered as in progress.
    func connectFailed(_ error: Int32) {
        guard connecting != nil else { return }
        fail(error)
    }

    // MARK: Reading

    private func readAvailable(peerClosing: Bool) {
        while !closed, !inputClosed, !readingPaused, let handler {
            guard let buffer = handler.receiveBuffer() else {
                readingPaused = true
                return
            }
            let space = buffer.writableBytes
            let count = read(descriptor, space.baseAddress, space.count)
            if count > 0 {
                buffer.didWrite(count)
                handler.didReceive(count)
                // A short read means the socket is drained; with a FIN pending, read on to see it.
                if count < space.count, !peerClosing { return }
            } else if count == 0 {
                inputClosed = true
                handler.inputClosed()
                return
            } else {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR: continue
                default: fail(errno); return
                }
            }
        }
    }

    func resumeReading() {
        guard readingPaused else { return }
        readingPaused = false
        // Edge-triggered: bytes that arrived while paused raise no new event, so look now
        // (after the current call returns, not inside it).
        loop.runSoon { [self] in readAvailable(peerClosing: true) }
    }

    func replaceHandler(with handler: ServedConnection) {
        guard !closed else { return }
        self.handler = handler
    }

    // MARK: Writing

    func send(_ buffer: ByteBuffer) -> ByteBuffer? {
        guard !closed else { return nil }
        precondition(pendingSend == nil, "one send at a time")
        if connecting != nil {
            pendingSend = buffer  // sent once established
            return nil
        }
        if writeOut(buffer) { return buffer }
        if !closed { pendingSend = buffer }
        return nil
    }

    /// Writes as much as the socket takes; true when everything went.
    private func writeOut(_ buffer: ByteBuffer) -> Bool {
        while !buffer.isEmpty {
            let bytes = buffer.readableBytes
            let count = Glibc.send(descriptor, bytes.baseAddress, bytes.count, headBeforeFile.sendFlags)
            if count > 0 {
                buffer.consume(count)
                sentByteCount += count
            } else if count < 0 {
                switch errno {
                case EAGAIN, EWOULDBLOCK: return false
                case EINTR: continue
                default:
                    fail(errno)
                    return false
                }
            }
        }
        return true
    }

    // MARK: Sending files

    var canSendFiles: Bool { connecting == nil }

    func prepareToSendFile() { headBeforeFile.expectFile() }

    func sendFile(_ file: Int32, offset: Int64, count: Int) -> FileSendResult {
        guard !closed else { return .failed(EPIPE) }
        precondition(pendingSend == nil && pendingFile == nil, "one send at a time")
        if connecting != nil { return .unsupported }
        headBeforeFile.fileStarts(count: count, on: descriptor)
        return writeFile(FileRegion(file: file, offset: offset, count: count))
    }

    /// sendfile(2) until the region is out or the socket is full (then the rest waits for
    /// EPOLLOUT). A file shorter than its region is an error: the response would be cut.
    private func writeFile(_ region: FileRegion) -> FileSendResult {
        var region = region
        switch region.send(to: descriptor, sent: &sentByteCount) {
        case .done:
            return .sent
        case .socketFull:
            pendingFile = region
            return .pending
        case .failed(let code):
            fail(code)
            return .failed(code)
        }
    }

    private func continueSending() {
        if let file = pendingFile {
            pendingFile = nil
            let result = writeFile(file)
            switch result {
            case .sent:
                if shutdownAfterSend { shutdownOutput() }
                handler?.fileSendCompleted(error: nil)
            case .failed(let code): handler?.fileSendCompleted(error: code)
            case .pending, .unsupported: break
            }
            return
        }
        guard let buffer = pendingSend else { return }
        if writeOut(buffer) {
            pendingSend = nil
            if shutdownAfterSend { shutdownOutput() }
            handler?.sendCompleted(buffer)
        }
    }

    var carriesBytesUnchanged: Bool { true }

    func shutdownOutput() {
        guard !closed else { return }
        if pendingSend != nil || pendingFile != nil || connecting != nil {
            shutdownAfterSend = true
            return
        }
        shutdownAfterSend = false
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    // MARK: Closing

    private func fail(_ error: Int32) {
        guard !closed else { return }
        connecting = nil
        handler?.connectionFailed(errno: error)
        close()
    }

    func reset() {
        guard !closed else { return }
        SocketOptions.resetOnClose(descriptor)
        close()
    }

    func close() {
        guard !closed else { return }
        closed = true
        pendingSend = nil
        connecting = nil
        if slot >= 0 { loop.release(slot: slot) }
        Glibc.close(descriptor)  // also removes it from the epoll set
        // Told after the current call unwinds, so a handler that closes is not re-entered.
        let handler = self.handler
        self.handler = nil
        loop.runSoon { handler?.transportClosed() }
    }
}
