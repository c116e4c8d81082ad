import HostctlCore

/// A listening socket that belongs to one loop, as every transport's listener does
/// (`EventLoop.listen` makes one): what a server needs to stop it on its loop's thread.
public protocol LoopListener: AnyObject, Sendable {
    /// The loop whose thread must call `close()` and `closeAndDetach()`.
    var eventLoop: EventLoop { get }
    /// Who gets the accepted connections, and the loop's heartbeat while the listener lives.
    var acceptor: ConnectionAcceptor { get }
    /// Stops accepting. On the loop's thread, or before the loop runs.
    func close()
}

extension LoopListener {
    /// Stops accepting and forgets the acceptor's heartbeat. On the loop's thread.
    public func closeAndDetach() {
        close()
        eventLoop.removeAcceptor(acceptor)
    }
}
