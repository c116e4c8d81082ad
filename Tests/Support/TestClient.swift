import Glibc
import HostctlCore
import HostctlSystem

/// A blocking socket client for the server and front tests: sends raw bytes (malformed on purpose where a test
/// wants), reads responses with a time limit on every call, and parses just enough of
/// HTTP/1.1 to split responses apart.
public final class TestClient: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []
    public var timeout: Double = 10
    /// Set by `startTLS`: everything sent and read goes through it.
    var tls: TestTLSConnection?

    /// The client's own port (for finding the server's end of the connection).
    public var localPort: Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public init(port: Int, host: String = "127.0.0.1") throws {
        let family = host.contains(":") ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        guard let address = SocketAddress.parseIP(host, port: UInt16(port)) else { throw TestFailure("bad host \(host)") }
        let result = address.withSockAddr { connect(fd, $0, $1) }
        // No close here: once every property is set, a throwing class init runs deinit,
        // which closes fd (closing it here as well closed another test's descriptor).
        guard result == 0 else { throw SystemError.last("connect") }
    }

    public init(unixPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let result = SocketAddress.unix(path: unixPath).withSockAddr { connect(fd, $0, $1) }
        // No close here: once every property is set, a throwing class init runs deinit,
        // which closes fd (closing it here as well closed another test's descriptor).
        guard result == 0 else { throw SystemError.last("connect") }
    }

    deinit { Glibc.close(fd) }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    public func send(_ bytes: [UInt8]) throws {
        if let tls { return try tlsSend(tls, bytes) }
        try bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { throw SystemError.last("send") }
                offset += count
            }
        }
    }

    /// Half-closes: the server sees end of input.
    public func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads more bytes; false on end of stream. Throws on timeout.
    @discardableResult
    public func fill() throws -> Bool {
        // The suite's processes send signals (children ending, relayed signals): a call a
        // handler interrupts (EINTR) is made again, never taken for the server's answer.
        if !tlsHasPending {
            let deadline = MonotonicClock.now() + Int64(timeout * 1e9)
            var ready: Int32
            repeat {
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                ready = poll(&entry, 1, Int32(max(0, (deadline - MonotonicClock.now()) / 1_000_000)))
            } while ready < 0 && errno == EINTR
            guard ready > 0 else { throw TestFailure("timed out after \(timeout) s waiting for the server; have: \(String(decoding: buffer, as: UTF8.self))") }
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        var count: Int
        repeat {
            count = try tls.map { try tlsReceive($0, into: &chunk) } ?? recv(fd, &chunk, chunk.count, 0)
        } while count < 0 && errno == EINTR
        if count <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The bytes that have come, after waiting for at least one more read; nil once the
    /// server has closed and nothing is left (for protocols parsed by the caller).
    public func takeReceived() throws -> [UInt8]? {
        if buffer.isEmpty, try !fill() { return nil }
        defer { buffer.removeAll() }
        return buffer
    }

    /// Everything until the server closes the connection.
    public func readToEnd() throws -> String {
        while try fill() {}
        defer { buffer.removeAll() }
        return String(decoding: buffer, as: UTF8.self)
    }

    /// The next `count` bytes as they come (a tunnel's, after a 101); fewer if the server
    /// closes first.
    public func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            if try !fill() { break }
        }
        let taken = Array(buffer.prefix(count))
        buffer.removeFirst(taken.count)
        return taken
    }

    /// True if the server reset the connection (a read fails with ECONNRESET) rather than
    /// closing it or answering, within the timeout.
    public func wasReset() throws -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw TestFailure("timed out waiting for the server") }
        var chunk = [UInt8](repeating: 0, count: 4096)
        var count: Int
        repeat { count = recv(fd, &chunk, chunk.count, 0) } while count < 0 && errno == EINTR
        return count < 0 && errno == ECONNRESET
    }

    /// True if the server closed the connection (reads end of stream) within the timeout.
    public func isClosedByServer() throws -> Bool {
        while true {
            if try !fill() { return true }
        }
    }

    /// The next whole response (head + body by Content-Length or chunked, or to the close).
    public func readResponse(head isHEAD: Bool = false) throws -> TestResponse {
        while true {
            if let end = find(Array("\r\n\r\n".utf8)) {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var response = TestResponse(head: headText)
                var position = end + 4
                if isHEAD || [204, 304].contains(response.status) || response.status < 200 {
                    buffer.removeFirst(position)
                    return response
                }
                if response.headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
                    var body: [UInt8] = []
                    while true {
                        guard let lineEnd = find(Array("\r\n".utf8), from: position) else { try requireMore(); continue }
                        let sizeText = String(decoding: buffer[position..<lineEnd], as: UTF8.self).split(separator: ";")[0]
                        guard let size = Int(sizeText, radix: 16) else { throw TestFailure("bad chunk size \(sizeText)") }
                        if size == 0 {
                            guard let trailerEnd = find(Array("\r\n\r\n".utf8), from: lineEnd) ?? (buffer.count >= lineEnd + 4 && buffer[lineEnd..<lineEnd + 4].elementsEqual("\r\n\r\n".utf8) ? lineEnd : nil) else {
                                try requireMore(); continue
                            }
                            let trailerText = trailerEnd > lineEnd ? String(decoding: buffer[(lineEnd + 2)..<trailerEnd], as: UTF8.self) : ""
                            response.trailers = TestResponse.parseFields(trailerText)
                            buffer.removeFirst(trailerEnd + 4)
                            response.body = body
                            return response
                        }
                        guard buffer.count >= lineEnd + 2 + size + 2 else { try requireMore(); continue }
                        body.append(contentsOf: buffer[(lineEnd + 2)..<(lineEnd + 2 + size)])
                        position = lineEnd + 2 + size + 2
                        buffer.removeFirst(position)
                        position = 0
                        buffer.insert(contentsOf: [], at: 0)
                    }
                }
                if let length = response.headers["content-length"].flatMap({ Int($0) }) {
                    while buffer.count < position + length { try requireMore() }
                    response.body = Array(buffer[position..<(position + length)])
                    buffer.removeFirst(position + length)
                    return response
                }
                // Close-delimited.
                while try fill() {}
                response.body = Array(buffer[position...])
                buffer.removeAll()
                return response
            }
            try requireMore()
        }
    }

    /// Reads until `text` arrives and returns everything up to and including it, which it
    /// consumes: for streams such as Server-Sent Events, read a piece at a time.
    public func readThrough(_ text: String) throws -> String {
        let needle = Array(text.utf8)
        while true {
            if let start = find(needle) {
                defer { buffer.removeFirst(start + needle.count) }
                return String(decoding: buffer[..<(start + needle.count)], as: UTF8.self)
            }
            try requireMore()
        }
    }

    private func requireMore() throws {
        guard try fill() else { throw TestFailure("the server closed the connection mid-response; have: \(String(decoding: buffer, as: UTF8.self))") }
    }

    private func find(_ needle: [UInt8], from start: Int = 0) -> Int? {
        guard buffer.count >= needle.count + start else { return nil }
        var index = start
        while index + needle.count <= buffer.count {
            if buffer[index] == needle[0], buffer[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

public struct TestResponse: CustomStringConvertible, Sendable {
    public var status = 0
    public var statusLine = ""
    public var headers: [String: String] = [:]
    public var headerLines: [String] = []
    public var body: [UInt8] = []
    public var trailers: [String: String] = [:]

    public init(head: String) {
        let lines = head.components("\r\n")
        statusLine = lines.first ?? ""
        status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        headerLines = Array(lines.dropFirst())
        headers = Self.parseFields(lines.dropFirst().joined(separator: "\r\n"))
    }

    public static func parseFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in text.components("\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: " ")
            fields[name] = fields[name].map { $0 + ", " + value } ?? value
        }
        return fields
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    public var description: String { "\(statusLine)\n\(headerLines.joined(separator: "\n"))\n\n\(text)" }
}

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension String {
    public func components(_ separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}

extension StringProtocol {
    public func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}

/// Whether the server still holds its end of the loopback connection from `clientPort`:
/// /proc/net/tcp lists it as established or waiting to be closed (CLOSE_WAIT) until it does.
public func serverSideSocketIsOpen(serverPort: Int, clientPort: Int) -> Bool {
    guard let table = try? FileSystem.readFile("/proc/net/tcp") else { return true }
    let local = ":" + hex4(serverPort), remote = ":" + hex4(clientPort)
    for line in String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst() {
        let fields = line.split(separator: " ")
        guard fields.count > 3, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else { continue }
        if fields[3] == "01" || fields[3] == "08" { return true }
    }
    return false
}

private func hex4(_ port: Int) -> String {
    let digits = String(port, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}

/// Runs blocking client I/O on a thread of its own, so a test waiting on the network does
/// not hold one of Swift's (few) cooperative threads that the server's own tasks may need.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        NativeThread(name: "test-client") {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.detach()
    }
}
