import HostctlServerCore
import HostctlTransport

/// How every server stops: each listener stops accepting on its own loop, the core drains
/// the connections (in-flight requests get `timeout`), the listeners let go of their
/// acceptor, and only once that has run on every loop do the loops stop.
func stopGracefully(listeners: [any LoopListener], core: HTTPServerCore, loops: [EventLoop], timeout: Duration, stopLoops: () -> Void) async {
    for listener in listeners {
        listener.eventLoop.execute { listener.close() }
    }
    await core.shutdown(timeout: timeout, on: loops)
    for listener in listeners {
        await listener.eventLoop.executeAndWait { listener.closeAndDetach() }
    }
    stopLoops()
}
