import Glibc
import HostctlCore
import HostctlSystem
import HostctlTransport
import Testing

/// The seam between transports and protocols: whichever transport carries the bytes, a
/// handler sees the same events for the same bytes. A request-like message is sent in two
/// writes split at every offset (the second only once the first has arrived, so the split is
/// real), then FIN. The handler takes bytes seven at a time, stops reading at the split
/// (`receiveBuffer()` returns nil) and is resumed once it has; it closes when the input ends.
/// On both transports, every split must give exactly the events below: nothing lost,
/// repeated or reordered across the pause, FIN after the last byte, the close last.
@Suite struct SameEventsTests {
    static let message = Array("POST /orders/42?expand=lines HTTP/1.1\r\nHost: shop.test\r\nContent-Length: 11\r\n\r\nhello world".utf8)

    /// Every event, with the data merged and the pause left out (where it falls is checked
    /// on its own: a transport may learn of a bare FIN without asking for a buffer).
    static func essentials(_ events: [TransportEvent]) -> [TransportEvent] {
        var result: [TransportEvent] = []
        for event in events {
            switch event {
            case .paused: continue
            case .received(let bytes):
                if case .received(let earlier) = result.last {
                    result[result.count - 1] = .received(earlier + bytes)
                } else {
                    result.append(event)
                }
            default: result.append(event)
            }
        }
        return result
    }

    @Test(arguments: TransportUnderTest.allCases) func acceptedConnectionsSeeTheSameEventsForEverySplit(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        let acceptor = QueueingAcceptor()
        let (descriptor, address) = try ListeningSocket.open(.ipv4Loopback, reusePort: false)
        let listener = try running.onLoop { try running.loop.listen(descriptor: descriptor, acceptor: acceptor, isTCP: true) }
        defer { _ = try? running.onLoop { listener.closeAndDetach() } }

        for split in 0...Self.message.count {
            let handler = RecordingHandler(pauseAt: split)
            acceptor.expect(handler)
            let client = try PeerSocket.connect(to: address)
            defer { close(client) }
            try exchange(split: split, peer: client, handler: handler, on: running)
            let events = handler.events.current
            #expect(Self.essentials(events) == [.received(Self.message), .inputClosed, .transportClosed], "split at \(split): \(events)")
            try checkPause(events, split: split)
        }
    }

    @Test(arguments: TransportUnderTest.allCases) func outboundConnectionsSeeTheSameEventsForEverySplit(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        let (listener, address) = try PeerSocket.listen()
        defer { close(listener) }
        let greeting = Array("hello".utf8)

        for split in 0...Self.message.count {
            let handler = RecordingHandler(pauseAt: split)
            try running.onLoop {
                let transport = try running.loop.connect(to: address, handler: handler)
                handler.transport = transport
                // Sent before the connection is established: the transport holds it till then.
                let buffer = ByteBuffer()
                buffer.append(greeting)
                if transport.send(buffer) != nil { handler.events.update { $0.append(.sendCompleted) } }
            }
            let peer = try PeerSocket.accept(listener)
            defer { close(peer) }
            #expect(try PeerSocket.read(peer, count: greeting.count) == greeting, "what was sent while connecting arrives")
            try exchange(split: split, peer: peer, handler: handler, on: running)
            let events = handler.events.current
            #expect(
                Self.essentials(events) == [.established, .sendCompleted, .received(Self.message), .inputClosed, .transportClosed],
                "split at \(split): \(events)"
            )
            try checkPause(events, split: split)
        }
    }

    @Test(arguments: TransportUnderTest.allCases) func aRefusedConnectIsReportedThenClosed(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        let (listener, address) = try PeerSocket.listen()
        close(listener)  // nothing listens there any more
        let handler = RecordingHandler()
        try running.onLoop { handler.transport = try running.loop.connect(to: address, handler: handler) }
        let events = handler.events.wait { $0.last == .transportClosed }
        #expect(events == [.failed(errno: ECONNREFUSED), .transportClosed])
    }

    /// The peer sends the first `split` bytes, waits until they are in, sends the rest and
    /// FIN; the handler is resumed once it paused (or has seen the FIN without pausing).
    private func exchange(split: Int, peer: Int32, handler: RecordingHandler, on running: RunningLoop) throws {
        try PeerSocket.write(peer, Self.message[..<split])
        if split > 0 {
            let arrived = handler.events.wait { $0.receivedCount >= split }
            try #require(arrived != nil, "the first \(split) bytes arrive")
        }
        try PeerSocket.write(peer, Self.message[split...])
        shutdown(peer, Int32(SHUT_WR))
        let stopped = handler.events.wait { $0.pausedAfter != nil || $0.contains(.inputClosed) }
        try #require(stopped != nil, "split at \(split): the handler paused or saw the end")
        if stopped?.pausedAfter != nil {
            running.loop.execute { handler.transport?.resumeReading() }
        }
        let closed = handler.events.wait { $0.contains(.transportClosed) }
        try #require(closed != nil, "split at \(split): the connection closes (events: \(handler.events.current))")
    }

    /// Reading paused exactly at the split, once; and it must have, when bytes followed it.
    private func checkPause(_ events: [TransportEvent], split: Int) throws {
        let pauses = events.filter { if case .paused = $0 { true } else { false } }
        #expect(pauses.count <= 1, "split at \(split): \(events)")
        if split < Self.message.count { #expect(events.pausedAfter == split, "split at \(split): \(events)") }
        if let after = events.pausedAfter { #expect(after == split, "split at \(split): \(events)") }
    }
}

extension [TransportEvent] {
    var receivedCount: Int {
        reduce(0) { total, event in
            if case .received(let bytes) = event { return total + bytes.count }
            return total
        }
    }

    var pausedAfter: Int? {
        for event in self { if case .paused(let count) = event { return count } }
        return nil
    }
}
