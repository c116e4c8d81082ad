import Glibc

/// Asks whether something accepts connections at an address, without sending a byte.
public enum ListenProbe {
    /// True when a TCP connection to `host`:`port` (an IP literal or a name) completes
    /// within `timeoutMilliseconds`. The connection is closed at once.
    public static func acceptsTCP(host: String, port: UInt16, timeoutMilliseconds: Int32 = 100) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return false }
        defer { freeaddrinfo(list) }
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if connects(family: info.pointee.ai_family, address: info.pointee.ai_addr, length: info.pointee.ai_addrlen, timeout: timeoutMilliseconds) {
                return true
            }
            cursor = info.pointee.ai_next
        }
        return false
    }

    /// True when a Unix-domain stream socket at `path` accepts a connection.
    public static func acceptsUnix(path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connects(family: AF_UNIX, address: $0, length: socklen_t(MemoryLayout<sockaddr_un>.size), timeout: 100)
            }
        }
    }

    private static func connects(family: Int32, address: UnsafePointer<sockaddr>?, length: socklen_t, timeout: Int32) -> Bool {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, timeout) == 1 else { return false }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 else { return false }
        return error == 0
    }
}
