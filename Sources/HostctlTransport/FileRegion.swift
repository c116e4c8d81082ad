import Glibc

/// The part of a file region still to go to a socket, sent with sendfile(2): the bytes never
/// enter user space. Both transports send files this way; they differ only in how they wait
/// for a full socket (epoll's EPOLLOUT, a poll on io_uring's ring).
public struct FileRegion {
    private let file: Int32
    private var offset: off_t
    private var remaining: Int

    public enum Progress: Equatable {
        /// The whole region is out.
        case done
        /// The socket (non-blocking) took all it could: the rest waits until it drains.
        case socketFull
        /// EIO when the file ended before the region did: the response would be cut.
        case failed(errno: Int32)
    }

    public init(file: Int32, offset: Int64, count: Int) {
        self.file = file
        self.offset = off_t(offset)
        remaining = count
    }

    /// sendfile(2) until the region is out, the socket is full, or a call fails; `sent` grows
    /// by the bytes that went.
    public mutating func send(to socket: Int32, sent: inout Int) -> Progress {
        while remaining > 0 {
            let count = Glibc.sendfile(socket, file, &offset, min(remaining, 1 << 30))
            if count > 0 {
                remaining -= count
                sent += count
            } else if count == 0 {
                return .failed(errno: EIO)
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return .socketFull
            } else if errno != EINTR {
                return .failed(errno: errno)
            }
        }
        return .done
    }
}
