import CHostctlOpenSSL
import Foundation
import Glibc
import Hostctl
import HostctlSystem
import Synchronization

/// A raw app that switches protocols: to a request asking for `Upgrade: websocket` it answers
/// 101 (or refuses with 400, `refuses`), then echoes every byte back until the peer ends; a
/// received "bye" makes it close first. One thread per connection; it records the heads it
/// got and how many of its connections are still open.
///
/// `speaksWebSocket`: a WebSocket echo server instead (RFC 6455): its 101 carries the
/// Sec-WebSocket-Accept for the request's key (SHA-1 from OpenSSL, base64 from Foundation:
/// nothing of the front's own) and the first subprotocol offered; then every frame the
/// client sends (masked) comes back unmasked, and a close frame is answered and ends it.
final class UpgradingApp: Sendable {
    let port: Int
    private let listener: Int32
    private let refuses: Bool
    private let speaksWebSocket: Bool
    private let stopped = Atomic<Bool>(false)
    private let recorded = Mutex<[String]>([])
    private let open = Atomic<Int>(0)
    private let threads = Mutex<[NativeThread]>([])

    /// The request heads received so far.
    var heads: [String] { recorded.withLock { $0 } }
    /// Connections the app has not closed yet.
    var openConnections: Int { open.load(ordering: .relaxed) }

    init(refuses: Bool = false, speaksWebSocket: Bool = false) throws {
        self.refuses = refuses
        self.speaksWebSocket = speaksWebSocket
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
            if speaksWebSocket {
                guard send(fd, Array(Self.webSocketAnswer(to: head).utf8)) else { return }
                return echoFrames(fd, input)
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

    /// The 101 for a handshake: the accept for its key, its first subprotocol.
    private static func webSocketAnswer(to head: String) -> String {
        var fields: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let key = fields["sec-websocket-key"] ?? ""
        let source = Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_Digest(source, source.count, &digest, &length, EVP_sha1(), nil)
        var answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        answer += "Sec-WebSocket-Accept: \(Data(digest[0..<Int(length)]).base64EncodedString())\r\n"
        if let offered = fields["sec-websocket-protocol"]?.split(separator: ",").first {
            answer += "Sec-WebSocket-Protocol: \(offered.trimmingCharacters(in: .whitespaces))\r\n"
        }
        return answer + "\r\n"
    }

    /// Echoes frames until a close frame (answered) or the peer's end.
    private func echoFrames(_ fd: Int32, _ start: [UInt8]) {
        var input = start
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            while let (opcode, payload, length) = Self.frame(in: input) {
                input.removeFirst(length)
                var reply: [UInt8] = [0x80 | opcode]
                if payload.count < 126 {
                    reply.append(UInt8(payload.count))
                } else {
                    reply += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
                }
                guard send(fd, reply + payload), opcode != 0x8 else { return }
            }
            guard let ready = readable(fd) else { return }
            guard ready else { continue }
            let count = recv(fd, &chunk, chunk.count, 0)
            guard count > 0 else { return }
            input += chunk[0..<count]
        }
    }

    /// A whole masked client frame at the start of `bytes` (payloads under 64 KB): its
    /// opcode, unmasked payload and length on the wire.
    private static func frame(in bytes: [UInt8]) -> (UInt8, [UInt8], Int)? {
        guard bytes.count >= 2 else { return nil }
        var offset = 2
        var count = Int(bytes[1] & 0x7F)
        if count == 126 {
            guard bytes.count >= 4 else { return nil }
            count = Int(bytes[2]) << 8 | Int(bytes[3])
            offset = 4
        }
        let masked = bytes[1] & 0x80 != 0
        let maskOffset = offset
        if masked { offset += 4 }
        guard bytes.count >= offset + count else { return nil }
        var payload = Array(bytes[offset..<(offset + count)])
        if masked { for index in payload.indices { payload[index] ^= bytes[maskOffset + index % 4] } }
        return (bytes[0] & 0x0F, payload, offset + count)
    }

    private static func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index..<(index + needle.count)].elementsEqual(needle) {
            return index
        }
        return nil
    }
}
