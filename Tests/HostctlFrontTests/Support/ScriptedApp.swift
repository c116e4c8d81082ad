import Glibc
import Hostctl
import HostctlSystem
import Synchronization

/// A raw app for what the hosting library never sends: hop-by-hop response fields, a response
/// cut short, no answer at all. It serves one connection at a time on a thread of its own: for
/// each request head it reads (and its Content-Length body), `respond` gets the head and a way
/// to write raw bytes, and says what to do with the connection next.
final class ScriptedApp: Sendable {
    enum Next: Sendable {
        case keepOpen
        case close
        /// Leave the connection open and never answer again (until `stop`).
        case stall
    }

    let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)
    private let recorded = Mutex<[String]>([])
    private let connections = Atomic<Int>(0)
    private let thread = Mutex<NativeThread?>(nil)

    /// The request heads received so far.
    var heads: [String] { recorded.withLock { $0 } }
    /// Connections accepted so far.
    var connectionCount: Int { connections.load(ordering: .relaxed) }

    init(_ respond: @escaping @Sendable (_ head: String, _ send: (String) -> Void) -> Next) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard SocketAddress.ipv4Loopback.withSockAddr({ bind(fd, $0, $1) }) == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SystemError.last("bind")
        }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let started = NativeThread(name: "scripted-app") { [self] in serve(respond) }
        thread.withLock { $0 = started }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        let running = thread.withLock { $0.take() }
        running?.join()
        close(listener)
    }

    /// Waits up to 100 ms for `fd` to be readable; false when stopping.
    private func readable(_ fd: Int32) -> Bool? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 100)
        if stopped.load(ordering: .relaxed) { return nil }
        return ready > 0
    }

    private func serve(_ respond: @Sendable (String, (String) -> Void) -> Next) {
        while true {
            guard let ready = readable(listener) else { return }
            guard ready else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            connections.wrappingAdd(1, ordering: .relaxed)
            serveConnection(fd, respond)
            close(fd)
        }
    }

    private func serveConnection(_ fd: Int32, _ respond: @Sendable (String, (String) -> Void) -> Next) {
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // A whole head, then its Content-Length body.
            var headEnd: Int?
            var bodyLength = 0
            while true {
                if headEnd == nil, let end = Self.find(input, Array("\r\n\r\n".utf8)) {
                    headEnd = end + 4
                    let head = String(decoding: input[..<end], as: UTF8.self)
                    for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                        bodyLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: " ")) ?? 0
                    }
                }
                if let headEnd, input.count >= headEnd + bodyLength { break }
                guard let ready = readable(fd) else { return }
                guard ready else { continue }
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                input += chunk[0..<count]
            }
            let head = String(decoding: input[..<(headEnd! - 4)], as: UTF8.self)
            input.removeFirst(headEnd! + bodyLength)
            recorded.withLock { $0.append(head) }
            let next = respond(head) { text in
                let bytes = Array(text.utf8)
                var offset = 0
                while offset < bytes.count {
                    let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard sent > 0 else { return }
                    offset += sent
                }
            }
            switch next {
            case .keepOpen: continue
            case .close: return
            case .stall:
                // Silent until stopped or until the front hangs up.
                while let ready = readable(fd) {
                    if ready, recv(fd, &chunk, chunk.count, 0) <= 0 { return }
                }
                return
            }
        }
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
