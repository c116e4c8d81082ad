import HostctlCore

/// A listening socket that belongs to one loop, as every transport's listener does: what a
/// server needs to stop it on its loop's thread.
public protocol LoopListener: AnyObject, Sendable {
    /// The loop whose thread must call `close()` and `closeAndDetach()`.
    var loopContext: EventLoopContext { get }
    /// Stops accepting.
    func close()
    /// Stops accepting and forgets the acceptor's heartbeat.
    func closeAndDetach()
}
