import Glibc
import HostctlCore
import HostctlSystem

/// A raw HTTP/2 client over a blocking socket (h2c with prior knowledge), for the server
/// tests: it writes the frames a test composes, attacks included, and reads the server's
/// back, every read bounded in time.
public final class HTTP2TestClient: @unchecked Sendable {
    public let socket: TestClient
    public let session = HTTP2ClientSession()
    public var timeout: Double = 10
    /// The server closed the connection (end of stream or reset).
    public private(set) var closedByServer = false
    /// Gives every DATA frame's octets back at once (WINDOW_UPDATE on the stream and the
    /// connection), as a client that reads everything does.
    public var creditsData = true
    /// Answers the server's PINGs.
    public var answersPings = true

    /// `smallBuffers`: the socket's buffers are kept to a few KB, so a flood's bytes pile up
    /// in the server rather than in this side's kernel buffers.
    public init(port: Int, smallBuffers: Bool = false) throws {
        socket = try TestClient(port: port)
        if smallBuffers {
            var size: Int32 = 16 * 1024
            setsockopt(socket.fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            setsockopt(socket.fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// The client preface and SETTINGS (`settings` as given), with the ACK of the server's
    /// SETTINGS once they arrive (`readUntil` sends it).
    public func start(settings: [(UInt16, UInt32)] = []) throws {
        try send(HTTP2TestFrame.preface + HTTP2TestFrame.settings(settings).bytes)
    }

    public func send(_ frames: HTTP2TestFrame...) throws { try send(frames.flatMap(\.bytes)) }

    public func send(_ bytes: [UInt8]) throws { try socket.send(bytes) }

    /// Writes without blocking; returns how many octets the socket took (fewer once the
    /// server stops reading and the buffers are full).
    public func sendWithoutBlocking(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.send(socket.fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                guard count > 0 else { break }
                offset += count
            }
            return offset
        }
    }

    /// Reads frames until `done` holds (checked after each batch); throws on timeout. Returns
    /// false when the server closed the connection first. Server SETTINGS are acknowledged.
    @discardableResult
    public func readUntil(seconds: Double? = nil, _ done: (HTTP2ClientSession) -> Bool) throws -> Bool {
        let deadline = MonotonicClock.now() + Int64((seconds ?? timeout) * 1e9)
        while !done(session) {
            guard !closedByServer else { return false }
            let remaining = Double(deadline - MonotonicClock.now()) / 1e9
            guard remaining > 0 else { throw TestFailure("timed out waiting for the server; frames so far: \(session.frames.suffix(12))") }
            var entry = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32(max(1, remaining * 1000))) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(socket.fd, &chunk, chunk.count, 0)
            if count < 0, errno == EINTR { continue }  // a signal handler interrupted it
            guard count > 0 else {
                closedByServer = true
                return done(session)
            }
            var replies: [UInt8] = []
            for frame in session.receive(Array(chunk[0..<count])) {
                switch frame.type {
                case HTTP2TestFrame.settings where frame.flags & HTTP2TestFrame.ack == 0:
                    replies += HTTP2TestFrame.settingsAck.bytes
                case HTTP2TestFrame.ping where frame.flags & HTTP2TestFrame.ack == 0 && answersPings:
                    replies += HTTP2TestFrame(type: HTTP2TestFrame.ping, flags: HTTP2TestFrame.ack, payload: frame.payload).bytes
                case HTTP2TestFrame.data where creditsData && !frame.payload.isEmpty:
                    let count = UInt32(frame.payload.count)
                    replies += HTTP2TestFrame.windowUpdate(0, count).bytes
                    if !frame.endsStream { replies += HTTP2TestFrame.windowUpdate(frame.streamID, count).bytes }
                default:
                    break
                }
            }
            if !replies.isEmpty { _ = sendWithoutBlocking(replies) }
        }
        return true
    }

    /// Reads until stream `id`'s response has ended (or was reset).
    public func response(_ id: UInt32) throws -> HTTP2ClientSession.Response {
        // A GOAWAY ends the wait only if it leaves this stream out or reports an error.
        try readUntil { session in
            session.responses[id]?.ended == true || session.responses[id]?.resetCode != nil
                || session.goAway.map { $0.code != 0 || $0.lastStreamID < id } == true
        }
        return session.responses[id] ?? HTTP2ClientSession.Response()
    }

    /// One request on a stream of its own, answered.
    public func get(_ path: String, stream id: UInt32, headers: [(String, String)] = []) throws -> HTTP2ClientSession.Response {
        try send(session.request(id, path: path, headers: headers))
        return try response(id)
    }

    /// Reads until the server closes the connection; true if it did within the time.
    public func waitForClose(seconds: Double? = nil) -> Bool {
        (try? readUntil(seconds: seconds) { _ in false }) == false
    }
}
