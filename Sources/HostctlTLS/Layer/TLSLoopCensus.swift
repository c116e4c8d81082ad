import HostctlCore

/// How many TLS connections a loop holds open. OpenSSL's record buffers (about 34 KiB a
/// connection) are kept between requests while a loop has few connections, which spares a
/// request two allocations and two frees of 16 KiB (~1,200 instructions); past
/// `buffersKeptUpTo` each connection gives them back after every exchange, as
/// SSL_MODE_RELEASE_BUFFERS would, so many quiet keep-alive connections cost little memory.
/// An idle connection gives them back at its next heartbeat either way. Loop-confined.
final class TLSLoopCensus: LoopLocalState {
    /// One census per loop, whichever endpoint's layers count in it.
    static let key = 0x7E15_C000
    static let buffersKeptUpTo = 256

    @exclusivity(unchecked) private(set) var connections = 0

    static func on(_ loop: EventLoopContext) -> TLSLoopCensus {
        loop.localState(key: key) { TLSLoopCensus() }
    }

    var keepsBuffers: Bool { connections <= Self.buffersKeptUpTo }

    func opened() { connections += 1 }
    func closed() { connections -= 1 }

    func heartbeat(now: Int64) {}
    func loopWillStop() {}
}
