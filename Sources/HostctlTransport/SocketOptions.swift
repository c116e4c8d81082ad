import Glibc

/// The socket options every transport sets the same way.
public enum SocketOptions {
    /// No Nagle delay: a response (or a forwarded request) leaves as soon as it is sent.
    public static func disableNagle(_ descriptor: Int32) {
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// A zero linger turns close(2) into an abortive close: RST instead of FIN.
    public static func resetOnClose(_ descriptor: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    /// Sends what MSG_MORE held back: setting TCP_NODELAY (already on) pushes the pending
    /// segments. For a head sent ahead of a file that turned out empty.
    public static func pushHeldBytes(_ descriptor: Int32) {
        disableNagle(descriptor)
    }

    /// The send flags for bytes that a file follows (MSG_MORE) or not: with MSG_MORE the
    /// kernel keeps a partly filled segment for the file's first bytes. sendfile(2) itself
    /// marks all but the last piece it sends as more-to-come, so the file's end pushes
    /// everything, and a file that fills the socket leaves no partial segment behind: what
    /// TCP_CORK around the file did, without its two setsockopt(2)s a file.
    @inline(__always)
    public static func sendFlags(fileFollows: Bool) -> Int32 {
        Int32(MSG_NOSIGNAL) | (fileFollows ? Int32(MSG_MORE) : 0)
    }
}
