import Glibc
import HostctlCore
import HostctlEpoll
import HostctlIOUring
import HostctlSystem
import HostctlTestSupport
import HostctlTransport
import Testing

/// The transports every test here runs on, each as a started one-loop group.
enum TransportUnderTest: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case epoll
    case ioUring = "io_uring"

    var testDescription: String { rawValue }

    /// A started loop and how to stop it, or a skip where io_uring cannot run here.
    func start() throws -> RunningLoop {
        switch self {
        case .epoll:
            let group = try EpollLoopGroup(count: 1)
            try group.start()
            return RunningLoop(loop: group.loops[0], stop: group.stop)
        case .ioUring:
            try IOUringAvailability.skipIfUnavailable()
            let group = try IOUringLoopGroup(count: 1)
            try group.start()
            return RunningLoop(loop: group.loops[0], stop: group.stop)
        }
    }
}

struct RunningLoop: @unchecked Sendable {
    let loop: EventLoop
    let stop: () -> Void

    /// Runs `body` on the loop's thread and returns its result.
    func onLoop<T>(_ body: @escaping () throws -> T) throws -> T {
        let box = Monitor<Result<T, any Error>?>(nil)
        nonisolated(unsafe) let body = body
        loop.execute { box.update { $0 = Result { try body() } } }
        guard let result = box.wait(until: { $0 != nil }) else { throw TestFailure("the loop did not run the work") }
        return try result!.get()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A value guarded by a pthread mutex, with a condition to wait on its changes (bounded).
final class Monitor<Value>: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var value: Value

    init(_ value: Value) {
        self.value = value
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    var current: Value {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return value
    }

    func update<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer {
            pthread_cond_broadcast(condition)
            pthread_mutex_unlock(mutex)
        }
        return body(&value)
    }

    /// Waits until `condition` holds, for at most `seconds`; returns the value then, or nil.
    func wait(seconds: Int = 10, until condition: (Value) -> Bool) -> Value? {
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        deadline.tv_sec += seconds
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !condition(value) {
            if pthread_cond_timedwait(self.condition, mutex, &deadline) == ETIMEDOUT { return condition(value) ? value : nil }
        }
        return value
    }
}

/// What a transport told a handler, in order.
enum TransportEvent: Equatable, CustomStringConvertible {
    case established
    case received([UInt8])
    /// `receiveBuffer()` returned nil, after this many bytes.
    case paused(after: Int)
    case sendCompleted
    case fileSent(errno: Int32?)
    case inputClosed
    case failed(errno: Int32)
    case transportClosed

    var description: String {
        switch self {
        case .established: "established"
        case .received(let bytes): "received(\(bytes.count))"
        case .paused(let count): "paused(after: \(count))"
        case .sendCompleted: "sendCompleted"
        case .fileSent(let code): "fileSent(\(code.map(String.init) ?? "ok"))"
        case .inputClosed: "inputClosed"
        case .failed(let code): "failed(\(code))"
        case .transportClosed: "transportClosed"
        }
    }
}

/// A handler that records every call, offers small receive buffers (so one arrival takes
/// several rounds), pauses reading once `pauseAt` bytes are in, and closes when the input ends.
final class RecordingHandler: OutboundConnectionHandler, @unchecked Sendable {
    let events = Monitor<[TransportEvent]>([])
    /// Set on the loop's thread before the first event; the handler drops it when closed.
    var transport: ConnectionTransport?
    private let pauseAt: Int?
    private var received = 0
    private var hasPaused = false
    private let inbound: ByteBuffer

    init(bufferSize: Int = 7, pauseAt: Int? = nil) {
        self.pauseAt = pauseAt
        inbound = ByteBuffer(capacity: bufferSize)
    }

    var receivedBytes: [UInt8] {
        events.current.flatMap { event -> [UInt8] in
            if case .received(let bytes) = event { return bytes }
            return []
        }
    }

    func connectionEstablished() { events.update { $0.append(.established) } }

    func receiveBuffer() -> ByteBuffer? {
        if let pauseAt, received >= pauseAt, !hasPaused {
            hasPaused = true
            events.update { $0.append(.paused(after: received)) }
            return nil
        }
        inbound.clear()
        return inbound
    }

    func didReceive(_ count: Int) {
        received += count
        let bytes = Array(inbound.readableBytes)
        precondition(bytes.count == count, "didReceive(\(count)) with \(bytes.count) bytes in the buffer")
        events.update { $0.append(.received(bytes)) }
    }

    func sendCompleted(_ buffer: ByteBuffer) { events.update { $0.append(.sendCompleted) } }

    func fileSendCompleted(error: Int32?) { events.update { $0.append(.fileSent(errno: error)) } }

    func inputClosed() {
        events.update { $0.append(.inputClosed) }
        transport?.close()
    }

    func connectionFailed(errno: Int32) { events.update { $0.append(.failed(errno: errno)) } }

    func transportClosed() {
        events.update { $0.append(.transportClosed) }
        transport = nil
    }
}

/// Hands each accepted connection to the handler the test set up for it.
final class QueueingAcceptor: ConnectionAcceptor, @unchecked Sendable {
    private let next = Monitor<[RecordingHandler]>([])

    func expect(_ handler: RecordingHandler) { next.update { $0.append(handler) } }

    func accept(_ transport: ConnectionTransport, on loop: EventLoopContext) -> ConnectionHandler? {
        guard let handler = next.update({ $0.isEmpty ? nil : $0.removeFirst() }) else { return nil }
        handler.transport = transport
        return handler
    }

    func heartbeat(on loop: EventLoopContext) {}
}

/// Blocking sockets for the test's side of a connection, with a time limit on every call.
enum PeerSocket {
    static func limitTime(_ fd: Int32, seconds: Int = 10) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A connected client with no Nagle delay: each write leaves at once.
    static func connect(to address: SocketAddress) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        limitTime(fd)
        SocketOptions.disableNagle(fd)
        if address.withSockAddr({ Glibc.connect(fd, $0, $1) }) != 0 {
            // A signal (the test runner's) interrupted the wait, not the connect: it goes on,
            // and its outcome is the socket's error once it is writable (connect(2)).
            var error = errno
            if error == EINTR {
                var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                while poll(&entry, 1, 10_000) < 0, errno == EINTR {}
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            }
            if error != 0 {
                close(fd)
                throw SystemError("connect", code: error)
            }
        }
        return fd
    }

    /// A blocking listener on 127.0.0.1 and a free port.
    static func listen() throws -> (descriptor: Int32, address: SocketAddress) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        limitTime(fd)
        guard SocketAddress.ipv4Loopback.withSockAddr({ bind(fd, $0, $1) }) == 0, Glibc.listen(fd, 64) == 0,
              let bound = SocketAddress.local(of: fd) else {
            let error = SystemError.last("bind")
            close(fd)
            throw error
        }
        return (fd, bound)
    }

    static func accept(_ listener: Int32) throws -> Int32 {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { throw SystemError.last("accept") }
        limitTime(fd)
        SocketOptions.disableNagle(fd)
        return fd
    }

    static func write(_ fd: Int32, _ bytes: ArraySlice<UInt8>) throws {
        var rest = bytes
        while !rest.isEmpty {
            let sent = rest.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw SystemError.last("send") }
            rest = rest.dropFirst(sent)
        }
    }

    /// Reads exactly `count` bytes.
    static func read(_ fd: Int32, count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: count)
        while bytes.count < count {
            let got = recv(fd, &chunk, count - bytes.count, 0)
            guard got > 0 else { throw TestFailure("the connection ended after \(bytes.count) of \(count) bytes") }
            bytes += chunk[0..<got]
        }
        return bytes
    }
}
