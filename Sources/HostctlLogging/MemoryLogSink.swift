import Glibc

/// Keeps what is logged in memory, for tests that check what an app logs.
///
/// ```swift
/// let sink = MemoryLogSink()
/// app.loggerFactory = LoggerFactory(sinks: [sink])
/// _ = try await app.respond(to: .get, "/")
/// #expect(sink.entries.contains { $0.message.hasPrefix("GET / ") })
/// ```
public final class MemoryLogSink: LogSink, @unchecked Sendable {
    public let name: String
    public let includesScopes: Bool
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let arrived = makeMonotonicCondition()
    private var stored: [LogEntry] = []

    public init(name: String = "Memory", includesScopes: Bool = false) {
        self.name = name
        self.includesScopes = includesScopes
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_cond_destroy(arrived)
        pthread_mutex_destroy(mutex)
        arrived.deallocate()
        mutex.deallocate()
    }

    public var entries: [LogEntry] {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return stored
    }

    public func write(_ entry: consuming LogEntry) {
        pthread_mutex_lock(mutex)
        stored.append(entry)
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(arrived)
    }

    /// The first entry `matching`, waiting (blocking this thread) up to `timeout` for it to
    /// be logged; nil if none came.
    public func waitForEntry(timeout: Duration = .seconds(10), matching: (LogEntry) -> Bool) -> LogEntry? {
        var deadline = monotonicDeadline(after: timeout)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let found = stored.first(where: matching) { return found }
            if pthread_cond_timedwait(arrived, mutex, &deadline) == ETIMEDOUT { return stored.first(where: matching) }
        }
    }
}
