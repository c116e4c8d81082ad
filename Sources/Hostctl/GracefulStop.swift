import HostctlServerCore
import HostctlTransport

/// How both servers stop: each listener stops accepting on its own loop, the core drains
/// the connections (in-flight requests get `timeout`), the listeners let go of their
/// acceptor, and only then do the loops stop.
func stopGracefully(listeners: [any LoopListener], core: HTTPServerCore, loops: [EventLoopContext], timeout: Duration, stopLoops: () -> Void) async {
    for listener in listeners {
        listener.loopContext.execute { listener.close() }
    }
    await core.shutdown(timeout: timeout, on: loops)
    for listener in listeners {
        listener.loopContext.execute { listener.closeAndDetach() }
    }
    // The closes above run on the loops' threads: give them a moment before the loops end.
    try? await Task.sleep(for: .milliseconds(20))
    stopLoops()
}
