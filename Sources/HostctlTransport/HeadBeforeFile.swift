import Glibc

/// Whether the bytes being sent are a head that a file follows (between a transport's
/// `prepareToSendFile` and its `sendFile`). They go with MSG_MORE, so the kernel keeps a partly
/// filled segment for the file's first bytes. sendfile(2) itself marks all but the last piece
/// it sends as more-to-come, so the file's end pushes everything, and a file that fills the
/// socket leaves no partial segment behind: what TCP_CORK around the file did, without its
/// two setsockopt(2)s a file.
public struct HeadBeforeFile {
    private var fileFollows = false

    public init() {}

    /// The next bytes sent are a head that a file follows.
    public mutating func expectFile() { fileFollows = true }

    /// The flags for send(2) (and a ring's send): MSG_NOSIGNAL, and MSG_MORE while a file follows.
    @inline(__always)
    public var sendFlags: Int32 {
        Int32(MSG_NOSIGNAL) | (fileFollows ? Int32(MSG_MORE) : 0)
    }

    /// The file's region starts going to `socket`. An empty one sends nothing that would push
    /// the held head, so the head is pushed here (setting TCP_NODELAY, already on, pushes the
    /// pending segments).
    public mutating func fileStarts(count: Int, on socket: Int32) {
        guard fileFollows else { return }
        fileFollows = false
        if count == 0 { SocketOptions.disableNagle(socket) }
    }
}
