import Glibc
import HostctlSystem
import HostctlTransport

/// The io_uring loops of a server, one per CPU by default, each on its own thread.
public final class IOUringLoopGroup: @unchecked Sendable {
    public let loops: [IOUringLoop]
    private var started = false

    public static var availableProcessors: Int { availableProcessorCount }

    /// Sets up every loop's ring and buffers, failing with the kernel's reason if io_uring
    /// is unavailable. Threads start with `start()`.
    public init(count: Int, configuration: IOUringLoop.Configuration = .init()) throws(IOUringError) {
        var loops: [IOUringLoop] = []
        for index in 0..<max(1, count) {
            loops.append(try IOUringLoop(index: index, configuration: configuration))
        }
        self.loops = loops
    }

    /// Starts the loop threads and returns once each has enabled its ring (the thread that
    /// enables a ring becomes its only submitter).
    public func start() throws(IOUringError) {
        guard !started else { return }
        started = true
        for loop in loops { loop.start() }
        for loop in loops {
            while true {
                guard let outcome = loop.startupOutcome else {
                    usleep(500)
                    continue
                }
                if case .failure(let error) = outcome {
                    stop()
                    throw error
                }
                break
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
