import Glibc
import HostctlCore
import HostctlSystem
import HostctlTestSupport
import HostctlTransport
import Testing

/// Files sent without copying them through user space (sendfile(2) on both transports;
/// io_uring waits for a full socket with a poll on its ring): the peer gets exactly the
/// region's bytes, a region larger than the socket takes at once completes later, a region
/// past the file's end fails the connection rather than cutting the body short in silence,
/// and a close while a file waits ends the connection once.
@Suite struct FileSendTests {
    /// A pattern that does not repeat within a pipe's or a socket's buffer.
    static let fileBytes: [UInt8] = (0..<(3 * 1024 * 1024 + 123)).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }

    /// A temporary file holding `fileBytes`, opened for reading.
    static func openFile() throws -> Int32 {
        let path = "/tmp/hostctl-filesend-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileSystem.writeFileAtomically(path, fileBytes)
        defer { unlink(path) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.last("open") }
        return fd
    }

    @Test(arguments: TransportUnderTest.allCases) func aRegionArrivesByteForByte(_ transport: TransportUnderTest) throws {
        try withFileAndConnection(transport) { running, file, handler, peer in
            let offset = 77, count = Self.fileBytes.count - 200
            let result = try running.onLoop { handler.transport!.sendFile(file, offset: Int64(offset), count: count) }
            let received = try PeerSocket.read(peer, count: count)
            #expect(received == Array(Self.fileBytes[offset..<(offset + count)]), "the region, exactly")
            switch result {
            case .sent: break
            case .pending: #expect(waitUntil { handler.events.current.contains(.fileSent(errno: nil)) }, "\(handler.events.current)")
            default: Issue.record("sendFile answered \(result)")
            }
            // The send slot is free again: an ordinary send follows the file.
            let after = ByteBuffer()
            after.append("after")
            _ = try running.onLoop { handler.transport!.send(after) }
            #expect(try PeerSocket.read(peer, count: 5) == Array("after".utf8))
            #expect(try running.onLoop { handler.transport!.sentByteCount } == count + 5, "progress counts file bytes too")
        }
    }

    @Test(arguments: TransportUnderTest.allCases) func aRegionPastTheEndOfTheFileFailsTheConnection(_ transport: TransportUnderTest) throws {
        try withFileAndConnection(transport) { running, file, handler, peer in
            let result = try running.onLoop { handler.transport!.sendFile(file, offset: Int64(Self.fileBytes.count - 10), count: 100) }
            if case .sent = result { Issue.record("a region past the end cannot be sent whole") }
            #expect(waitUntil { handler.events.current.contains(.transportClosed) }, "the connection ends: \(handler.events.current)")
        }
    }

    /// A file still waiting for the socket to drain (the peer reads nothing) when the
    /// connection is closed: the wait is cancelled, the connection reports its end once, and
    /// no file-sent event follows.
    @Test(arguments: TransportUnderTest.allCases) func closingWhileAFileWaitsEndsTheConnection(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        // 64 MiB of holes (no disk): more than loopback's socket buffers hold, whatever they grow to.
        let path = "/tmp/hostctl-filesend-large-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        try #require(file >= 0)
        unlink(path)
        defer { close(file) }
        let size = 64 << 20
        try #require(ftruncate(file, off_t(size)) == 0)
        let (handler, peer) = try acceptedConnection(on: running)
        defer { close(peer) }
        let result = try running.onLoop { handler.transport!.sendFile(file, offset: 0, count: size) }
        guard case .pending = result else {
            Issue.record("64 MiB to a peer that reads nothing cannot go at once: \(result)")
            return
        }
        try running.onLoop { handler.transport!.close() }
        #expect(waitUntil { handler.events.current.contains(.transportClosed) }, "the connection ends: \(handler.events.current)")
        #expect(!handler.events.current.contains(.fileSent(errno: nil)), "\(handler.events.current)")
        #expect(handler.events.current.filter { $0 == .transportClosed }.count == 1)
    }

    /// After a file (on io_uring the socket turns non-blocking for sendfile(2), and stays so
    /// until a send goes through the ring), a send larger than the socket holds still waits
    /// for the peer and arrives whole, and bytes from the peer still arrive.
    @Test(arguments: TransportUnderTest.allCases) func sendsAndReceivesAfterAFileStillWait(_ transport: TransportUnderTest) throws {
        try withFileAndConnection(transport) { running, file, handler, peer in
            let fileResult = try running.onLoop { handler.transport!.sendFile(file, offset: 0, count: 4096) }
            #expect(try PeerSocket.read(peer, count: 4096) == Array(Self.fileBytes[0..<4096]))
            if case .pending = fileResult {
                #expect(waitUntil { handler.events.current.contains(.fileSent(errno: nil)) }, "\(handler.events.current)")
            }
            // 16 MiB to a peer that is not reading yet: more than loopback's buffers take at once.
            let large: [UInt8] = (0..<(16 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 16)) }
            let buffer = ByteBuffer(capacity: large.count)
            large.withUnsafeBytes { buffer.append($0) }
            let sentAtOnce = try running.onLoop { handler.transport!.send(buffer) != nil }
            #expect(!sentAtOnce, "16 MiB cannot all go to a peer that reads nothing")
            #expect(try PeerSocket.read(peer, count: large.count) == large, "the send arrives whole once the peer reads")
            if !sentAtOnce {
                #expect(waitUntil { handler.events.current.contains(.sendCompleted) }, "\(handler.events.current)")
            }
            try PeerSocket.write(peer, Array("ping".utf8)[...])
            #expect(waitUntil { handler.receivedBytes == Array("ping".utf8) }, "\(handler.events.current)")
            #expect(!handler.events.current.contains { if case .failed = $0 { true } else { false } }, "\(handler.events.current)")
        }
    }

    /// The head before a file goes with MSG_MORE, which the file's last piece pushes; before
    /// an empty region nothing would, so the transport pushes the head itself. Held, it
    /// would sit unsent in the server socket's queue until TCP's probe timer (~200 ms).
    @Test(arguments: TransportUnderTest.allCases) func aHeadBeforeAnEmptyFileStillLeaves(_ transport: TransportUnderTest) throws {
        try withFileAndConnection(transport) { running, file, handler, peer in
            let head = ByteBuffer()
            head.append("head")
            let server = try #require(Self.serverSocket(of: peer), "the server's end of the connection")
            let (result, unsent) = try running.onLoop { () -> (FileSendResult, Int32) in
                handler.transport!.prepareToSendFile()
                _ = handler.transport!.send(head)
                let result = handler.transport!.sendFile(file, offset: 0, count: 0)
                var unsent: Int32 = -1
                _ = ioctl(server, Self.unsentBytesRequest, &unsent)
                return (result, unsent)
            }
            guard case .sent = result else {
                Issue.record("an empty region is sent at once: \(result)")
                return
            }
            #expect(unsent == 0, "the head left when the file's send returned")
            #expect(try PeerSocket.read(peer, count: 4) == Array("head".utf8))
        }
    }

    /// The head before a file leaves with the file's first bytes (MSG_MORE), not as a small
    /// segment of its own that the file's segments then wait behind under the kernel's
    /// pacing: one segment for both, as the server socket's count of segments sent says.
    @Test(arguments: TransportUnderTest.allCases) func aHeadLeavesWithTheFilesFirstBytes(_ transport: TransportUnderTest) throws {
        try withFileAndConnection(transport) { running, file, handler, peer in
            let server = try #require(Self.serverSocket(of: peer), "the server's end of the connection")
            let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 20000\r\n\r\n".utf8)
            let before = try #require(Self.segmentsSent(by: server))
            let result = try running.onLoop { () -> FileSendResult in
                handler.transport!.prepareToSendFile()
                let buffer = ByteBuffer()
                head.withUnsafeBytes { buffer.append($0) }
                _ = handler.transport!.send(buffer)
                return handler.transport!.sendFile(file, offset: 0, count: 20_000)
            }
            guard case .sent = result else {
                Issue.record("20,000 bytes to an idle peer go at once: \(result)")
                return
            }
            #expect(try PeerSocket.read(peer, count: head.count + 20_000) == head + Array(Self.fileBytes[0..<20_000]))
            let after = try #require(Self.segmentsSent(by: server))
            #expect(after - before == 1, "head and file in one segment (loopback's segments hold 64 KiB)")
        }
    }

    /// The segments a TCP socket has sent (`tcpi_segs_out`: the kernel's struct tcp_info, at
    /// byte 136 since Linux 4.2; glibc's copy of the struct stops short of it).
    static func segmentsSent(by socket: Int32) -> UInt32? {
        var info = [UInt8](repeating: 0, count: 256)
        var length = socklen_t(info.count)
        guard getsockopt(socket, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0, length >= 140 else { return nil }
        return info.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 136, as: UInt32.self) }
    }

    /// SIOCOUTQNSD: the bytes in a TCP socket's queue not yet sent.
    static let unsentBytesRequest: UInt = 0x894B

    /// This process's descriptor for the other end of `peer`'s connection.
    static func serverSocket(of peer: Int32) -> Int32? {
        guard let peerAddress = SocketAddress.local(of: peer) else { return nil }
        return (0..<4096).first { $0 != peer && SocketAddress.peer(of: $0) == peerAddress }
    }

    /// A running loop, the test file opened, and a connection accepted on the loop (its
    /// recording handler, and the peer's end): `body` gets them, and all of it is closed and
    /// stopped after it.
    func withFileAndConnection(
        _ transport: TransportUnderTest, _ body: (RunningLoop, Int32, RecordingHandler, Int32) throws -> Void
    ) throws {
        let running = try transport.start()
        defer { running.stop() }
        let file = try Self.openFile()
        defer { close(file) }
        let (handler, peer) = try acceptedConnection(on: running)
        defer { close(peer) }
        try body(running, file, handler, peer)
    }

    /// A connection accepted on the running loop, with its recording handler, and the peer's end.
    func acceptedConnection(on running: RunningLoop) throws -> (RecordingHandler, Int32) {
        let acceptor = QueueingAcceptor()
        let (descriptor, address) = try ListeningSocket.open(.ipv4Loopback, reusePort: false)
        let listener = try running.onLoop { try running.loop.listen(descriptor: descriptor, acceptor: acceptor, isTCP: true) }
        defer { _ = try? running.onLoop { listener.closeAndDetach() } }
        let handler = RecordingHandler()
        acceptor.expect(handler)
        let peer = try PeerSocket.connect(to: address)
        guard waitUntil({ (try? running.onLoop { handler.transport != nil }) == true }) else {
            close(peer)
            throw TestFailure("the connection was never accepted")
        }
        return (handler, peer)
    }
}
