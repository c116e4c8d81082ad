import HostctlSystem
import HostctlTransport

/// The event loops of a server: one per CPU by default, each on its own thread.
public final class EventLoopGroup: @unchecked Sendable {
    public let loops: [EventLoop]
    private var started = false

    /// CPUs this process may use (honours `taskset`).
    public static var availableProcessors: Int { availableProcessorCount }

    public init(count: Int) throws(SystemError) {
        var loops: [EventLoop] = []
        for index in 0..<max(1, count) { loops.append(try EventLoop(index: index)) }
        self.loops = loops
    }

    public func start() {
        guard !started else { return }
        started = true
        for loop in loops { loop.start() }
    }

    /// Stops every loop and waits for their threads. Not from a loop thread.
    public func stop() {
        for loop in loops { loop.requestStop() }
        if started { for loop in loops { loop.join() } }
        started = false
    }
}
