import Glibc
import Hostctl
import HostctlSystem
import Synchronization

/// A raw app that switches protocols: to a request asking for `Upgrade: websocket` it answers
/// 101 (or refuses with 400, `refuses`), then echoes every byte back until the peer ends; a
/// received "bye" makes it close first. One thread per connection; it records the heads it
/// got and how many of its connections are still open.
final class UpgradingApp: Sendable {
    let port: Int
    private let listener: Int32
    private let refuses: Bool
    private let stopped = Atomic<Bool>(false)
    private let recorded = Mutex<[String]>([])
    private let open = Atomic<Int>(0)
    private let threads = Mutex<[NativeThread]>([])

    /// The request heads received so far.
    var heads: [String] { recorded.withLock { $0 } }
    /// Connections the app has not closed yet.
    var openConnections: Int { open.load(ordering: .relaxed) }

    init(refuses: Bool = false) throws {
        self.refuses = refuses
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
        let acceptor = NativeThread(name: "upgrading-app") { [self] in acceptConnections() }
        threads.withLock { $0.append(acceptor) }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        let running = threads.withLock { threads in
            defer { threads.removeAll() }
            return threads
        }
        for thread in running { thread.join() }
        close(listener)
    }

    /// Waits up to 100 ms for `fd` to be readable; nil when stopping.
    private func readable(_ fd: Int32) -> Bool? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 100)
        if stopped.load(ordering: .relaxed) { return nil }
        return ready > 0
    }

    private func acceptConnections() {
        while let ready = readable(listener) {
            guard ready else { continue }
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { continue }
            open.wrappingAdd(1, ordering: .relaxed)
            let thread = NativeThread(name: "upgrading-app-connection") { [self] in
                serve(fd)
                close(fd)
                open.wrappingSubtract(1, ordering: .relaxed)
            }
            threads.withLock { $0.append(thread) }
        }
    }

    private func send(_ fd: Int32, _ bytes: some Collection<UInt8>) -> Bool {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let sent = array[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private func serve(_ fd: Int32) {
        var input: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            // A head.
            var headEnd: Int?
            while headEnd == nil {
                if let end = Self.find(input, Array("\r\n\r\n".utf8)) {
                    headEnd = end
                    break
                }
                guard let ready = readable(fd) else { return }
                guard ready else { continue }
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                input += chunk[0..<count]
            }
            let head = String(decoding: input[..<headEnd!], as: UTF8.self)
            input.removeFirst(headEnd! + 4)
            recorded.withLock { $0.append(head) }
            let asksToUpgrade = head.lowercased().contains("\r\nupgrade: websocket")
            if refuses || !asksToUpgrade {
                guard send(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 7\r\n\r\nrefused".utf8) else { return }
                continue
            }
            guard send(fd, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8) else { return }
            // The tunnel: echo until the peer ends, or close first after "bye".
            if !input.isEmpty, !send(fd, input) { return }
            while true {
                guard let ready = readable(fd) else { return }
                guard ready else { continue }
                let count = recv(fd, &chunk, chunk.count, 0)
                guard count > 0 else { return }
                if chunk[0..<count].elementsEqual("bye".utf8) { return }
                guard send(fd, chunk[0..<count]) else { return }
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
