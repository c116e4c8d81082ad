import HostctlSystem
import Synchronization

/// Client threads on keep-alive connections, each sending `GET target` back to back until
/// `finish()` or until its count is done (bounded in count, and each read by the client's
/// time limit). Any status but 200, and any connection error, is a failure.
public final class LoadLoop: Sendable {
    public struct Result: Sendable {
        public var completed = 0
        public var failures: [String] = []
        /// The distinct bodies of the 200 responses (which app, which version, answered).
        public var bodies: Set<String> = []
    }

    private let stopped = Atomic<Bool>(false)
    private let done = Atomic<Int>(0)
    private let outcome = Mutex(Result())
    private let threads: Mutex<[NativeThread]> = Mutex([])

    /// Requests answered (or failed) so far.
    public var completed: Int { done.load(ordering: .relaxed) }

    public init(port: Int, target: String, clients: Int, requestsPerClient: Int) {
        let started = (0..<clients).map { index in
            NativeThread(name: "load-\(index)") { [self] in run(port: port, target: target, requests: requestsPerClient) }
        }
        threads.withLock { $0 = started }
    }

    /// Stops the clients and waits for them.
    public func finish() -> Result {
        stopped.store(true, ordering: .relaxed)
        for thread in threads.withLock({ $0 }) { thread.join() }
        return outcome.withLock { $0 }
    }

    private func run(port: Int, target: String, requests: Int) {
        var client: TestClient?
        for _ in 0..<requests where !stopped.load(ordering: .relaxed) {
            do {
                let connection = try client ?? TestClient(port: port)
                client = connection
                connection.timeout = 30
                try connection.send("GET \(target) HTTP/1.1\r\nHost: load.test\r\n\r\n")
                let response = try connection.readResponse()
                outcome.withLock { result in
                    if response.status == 200 {
                        result.bodies.insert(response.text)
                    } else {
                        result.failures.append("\(response.status): \(response.text)")
                    }
                    result.completed += 1
                }
                if response.headers["connection"]?.lowercased() == "close" { client = nil }
            } catch {
                outcome.withLock { $0.failures.append("\(error)") }
                client = nil
            }
            done.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
