import HostctlSystem

/// The loops of a server, one per CPU by default, each on its own thread, on one transport.
/// Each transport makes its loops (`EpollLoopGroup(count:)`, `IOUringLoopGroup(count:configuration:)`);
/// starting and stopping them is the same for all.
public final class EventLoopGroup<Loop: EventLoop>: @unchecked Sendable {
    public let loops: [Loop]
    private var started = false

    /// CPUs this process may use (honours `taskset`): the default number of loops.
    public static var availableProcessors: Int { availableProcessorCount }

    /// Takes loops that have not started.
    public init(loops: [Loop]) {
        precondition(!loops.isEmpty, "a group has at least one loop")
        self.loops = loops
    }

    /// `count` loops (at least one) made by `makeLoop(index)`.
    public convenience init<Failure: Error>(count: Int, makeLoop: (Int) throws(Failure) -> Loop) throws(Failure) {
        var loops: [Loop] = []
        for index in 0..<max(1, count) { loops.append(try makeLoop(index)) }
        self.init(loops: loops)
    }

    /// Starts the loop threads and returns once each has prepared itself on its thread (an
    /// io_uring loop enables its ring there). If one could not, every loop is stopped again
    /// and its error thrown.
    public func start() throws(SystemError) {
        guard !started else { return }
        started = true
        for loop in loops { loop.start() }
        for loop in loops {
            if let failure = loop.waitForStartup() {
                stop()
                throw failure
            }
        }
    }

    /// Stops every loop and waits for their threads. Not from a loop thread.
    public func stop() {
        for loop in loops { loop.requestStop() }
        if started { for loop in loops { loop.join() } }
        started = false
    }
}
