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
    private let arrived = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var stored: [LogEntry] = []

    public init(name: String = "Memory", includesScopes: Bool = false) {
        self.name = name
        self.includesScopes = includesScopes
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(arrived, &attributes)
        pthread_condattr_destroy(&attributes)
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

    public func write(_ entry: LogEntry) {
        pthread_mutex_lock(mutex)
        stored.append(entry)
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(arrived)
    }

    /// The first entry `matching`, waiting (blocking this thread) up to `timeout` for it to
    /// be logged; nil if none came.
    public func waitForEntry(timeout: Duration = .seconds(10), matching: (LogEntry) -> Bool) -> LogEntry? {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int64(deadline.tv_nsec) + attoseconds / 1_000_000_000
        deadline.tv_sec += Int(seconds) + Int(nanoseconds / 1_000_000_000)
        deadline.tv_nsec = Int(nanoseconds % 1_000_000_000)
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            if let found = stored.first(where: matching) { return found }
            if pthread_cond_timedwait(arrived, mutex, &deadline) == ETIMEDOUT { return stored.first(where: matching) }
        }
    }
}
