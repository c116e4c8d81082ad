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
}
