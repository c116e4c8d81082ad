import Glibc
import HostctlCore
@testable import HostctlIOUring
import HostctlTestSupport
import Testing

/// The connection transport on a real loop thread, over socket pairs: running out of
/// receive buffers, short sends, pausing, and closing with operations in flight.
@Suite struct ConnectionTests {
    /// A started one-loop group, or a skip saying why io_uring is unavailable here.
    static func loop(_ configure: (inout IOUringLoop.Configuration) -> Void = { _ in }) throws -> IOUringLoopGroup {
        var configuration = IOUringLoop.Configuration()
        configure(&configuration)
        let group: IOUringLoopGroup
        do { group = try IOUringLoopGroup(count: 1, configuration: configuration) } catch {
            try IOUringAvailability.skip(because: error.description)
        }
        try group.start()
        return group
    }

    /// Connects a handler to one end of a new socket pair on `loop`; returns the other end.
    static func connect(_ handler: RecordingHandler, on loop: IOUringLoop, sendBuffer: Int32? = nil) throws -> Int32 {
        var ends: [Int32] = [0, 0]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0)
        if var size = sendBuffer {
            setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        nonisolated(unsafe) let connection = IOUringConnection(descriptor: ends[0], loop: loop)
        handler.transport = connection
        loop.execute { connection.start(handler) }
        return ends[1]
    }

    /// Polls `condition` every millisecond for at most `seconds`.
    static func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Double(DispatchTimeless.now()) + seconds * 1e9
        while Double(DispatchTimeless.now()) < deadline {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    /// Runs `body` on the loop's thread and returns its result.
    static func onLoop<T: Sendable>(_ loop: IOUringLoop, _ body: @escaping @Sendable () -> T) -> T {
        let box = ResultBox<T>()
        loop.execute { box.set(body()) }
        _ = waitUntil { box.value != nil }
        return box.value!
    }

    static func pattern(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    @Test func runningOutOfReceiveBuffersLosesNoBytes() throws {
        // Two 64-byte buffers for sixteen connections with 4 KB each to read.
        let group = try Self.loop {
            $0.bufferCount = 2
            $0.bufferSize = 64
        }
        defer { group.stop() }
        let loop = group.loops[0]
        var peers: [(RecordingHandler, Int32, [UInt8])] = []
        for index in 0..<16 {
            let handler = RecordingHandler()
            let peer = try Self.connect(handler, on: loop)
            peers.append((handler, peer, Self.pattern(4096, seed: index)))
        }
        for (_, peer, bytes) in peers { #expect(write(peer, bytes, bytes.count) == bytes.count) }
        for (handler, peer, bytes) in peers {
            #expect(Self.waitUntil { handler.received.count >= bytes.count })
            #expect(handler.received == bytes)
            close(peer)
        }
        #expect(Self.onLoop(loop) { loop.receiveStarvations } > 0, "the buffers must have run out for this test to mean anything")
    }

    @Test func aShortSendIsFinishedAndCompletesOnce() throws {
        let group = try Self.loop()
        defer { group.stop() }
        let loop = group.loops[0]
        let handler = RecordingHandler()
        let peer = try Self.connect(handler, on: loop, sendBuffer: 4096)
        let payload = Self.pattern(512 * 1024)
        nonisolated(unsafe) let buffer = ByteBuffer(capacity: payload.count)
        payload.withUnsafeBytes { buffer.append($0) }
        let returned = Self.onLoop(loop) { handler.transport!.send(buffer) == nil }
        #expect(returned, "a completion transport keeps the buffer until the send completes")
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 8192)
        while received.count < payload.count {
            let count = read(peer, &chunk, chunk.count)
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        #expect(received == payload)
        #expect(Self.waitUntil { handler.sendCompletions == 1 })
        #expect(Self.onLoop(loop) { loop.shortSends } > 0, "the send must have gone out in pieces for this test to mean anything")
        close(peer)
    }

    @Test func pausingAndResumingKeepsEveryByteInOrder() throws {
        let group = try Self.loop { $0.bufferSize = 16 }
        defer { group.stop() }
        let loop = group.loops[0]
        let handler = RecordingHandler()
        handler.pauseAt = 100
        let peer = try Self.connect(handler, on: loop)
        let first = Self.pattern(300)
        #expect(write(peer, first, first.count) == first.count)
        #expect(Self.waitUntil { handler.received.count >= 100 })
        #expect(Self.waitUntil { handler.pauses == 1 })
        let second = Self.pattern(300, seed: 7)
        #expect(write(peer, second, second.count) == second.count)
        Self.onLoop(loop) { handler.transport!.resumeReading() }
        #expect(Self.waitUntil { handler.received.count >= 600 })
        #expect(handler.received == first + second)
        close(peer)
    }

    @Test func closingWithOperationsInFlightWaitsForThemThenCloses() throws {
        let group = try Self.loop()
        defer { group.stop() }
        let loop = group.loops[0]
        let handler = RecordingHandler()
        let peer = try Self.connect(handler, on: loop, sendBuffer: 4096)
        // A receive is armed, and a send is stuck: the peer reads nothing.
        nonisolated(unsafe) let buffer = ByteBuffer(capacity: 1 << 20)
        Self.pattern(1 << 20).withUnsafeBytes { buffer.append($0) }
        _ = Self.onLoop(loop) { handler.transport!.send(buffer) == nil }
        Self.onLoop(loop) { handler.transport!.close() }
        #expect(Self.waitUntil { handler.transportClosedCount == 1 })
        #expect(handler.sendCompletions == 0, "a cancelled send does not complete")
        // The descriptor is closed: the peer reads what was buffered, then end of file.
        var chunk = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while true {
            let count = read(peer, &chunk, chunk.count)
            if count <= 0 { break }
            total += count
        }
        #expect(total < 1 << 20)
        close(peer)
    }

    @Test func endOfInputIsReportedOnce() throws {
        let group = try Self.loop()
        defer { group.stop() }
        let handler = RecordingHandler()
        let peer = try Self.connect(handler, on: group.loops[0])
        #expect(write(peer, "bye", 3) == 3)
        shutdown(peer, Int32(SHUT_WR))
        #expect(Self.waitUntil { handler.inputClosedCount == 1 })
        #expect(handler.received == Array("bye".utf8))
        Self.onLoop(group.loops[0]) { handler.transport!.close() }
        #expect(Self.waitUntil { handler.transportClosedCount == 1 })
        close(peer)
    }
}

/// A handler that records what the transport tells it, for the test's thread to read.
final class RecordingHandler: ConnectionHandler, @unchecked Sendable {
    private let lock = Lock()
    private var _received: [UInt8] = []
    private var _sendCompletions = 0
    private var _inputClosed = 0
    private var _transportClosed = 0
    private var _pauses = 0
    /// Ask for no more bytes once this many have arrived (once).
    var pauseAt: Int?
    /// Weak: the connection holds its handler, and the loop holds the connection while it is registered.
    weak var transport: ConnectionTransport?

    var received: [UInt8] { lock.withLock { _received } }
    var sendCompletions: Int { lock.withLock { _sendCompletions } }
    var inputClosedCount: Int { lock.withLock { _inputClosed } }
    var transportClosedCount: Int { lock.withLock { _transportClosed } }
    var pauses: Int { lock.withLock { _pauses } }

    /// Where the transport puts bytes; emptied into `received` as they come.
    private let inbound = ByteBuffer(capacity: 4096)

    func receiveBuffer() -> ByteBuffer? {
        lock.withLock {
            if let pauseAt, _received.count >= pauseAt, _pauses == 0 {
                _pauses += 1
                return nil
            }
            inbound.clear()
            inbound.reserveWritable(4096)
            return inbound
        }
    }

    func didReceive(_ count: Int) {
        lock.withLock {
            _received.append(contentsOf: inbound.readableBytes)
            inbound.clear()
        }
    }

    func sendCompleted(_ buffer: ByteBuffer) { lock.withLock { _sendCompletions += 1 } }
    func inputClosed() { lock.withLock { _inputClosed += 1 } }
    func connectionFailed(errno: Int32) {}
    func transportClosed() {
        lock.withLock { _transportClosed += 1 }
        transport = nil
    }
}

final class ResultBox<T>: @unchecked Sendable {
    private let lock = Lock()
    private var stored: T?
    var value: T? { lock.withLock { stored } }
    func set(_ value: T) { lock.withLock { stored = value } }
}

/// Monotonic nanoseconds.
enum DispatchTimeless {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
