import Glibc
import HostctlSystem

/// The console: entries formatted as ASP.NET Core formats them, written by a thread of its
/// own, so the thread that logs (an event loop) never waits for a terminal or a pipe. The
/// entry is formatted where it is logged, straight into the queued bytes (no entry is kept,
/// and a message given as bytes never becomes a String); the writer thread only writes.
///
/// At most `maxQueueLength` entries wait; when the console cannot keep up and the queue is
/// full, new entries are dropped and counted, and once the console drains the count is
/// written as a warning:
///
///     warn: Hostctl.Logging[1]
///           312 log entries were dropped because the console could not keep up.
///
/// Entries below `standardErrorThreshold` go to standard output, the rest to standard
/// error, in the order they were logged. Colour only on a terminal, never with NO_COLOR.
public final class ConsoleLogSink: LogSink, @unchecked Sendable {
    public let name = "Console"
    public let options: ConsoleLogOptions
    public var includesScopes: Bool { options.includesScopes }
    private let queue: ConsoleLogQueue
    private let writer: NativeThread

    /// `output` and `errorOutput` are descriptors (standard output and error by default); a
    /// test passes a pipe.
    public init(options: ConsoleLogOptions, environment: ProcessEnvironment = .current(), output: Int32 = STDOUT_FILENO, errorOutput: Int32 = STDERR_FILENO) {
        self.options = options
        let timestamp = options.timestampFormat.map { LogTimestamp(format: $0, utc: options.usesUTCTimestamp) }
        let formatter: any LogFormatter = switch options.format {
        case .simple: SimpleLogFormatter(singleLine: options.singleLine, timestamp: timestamp)
        case .json: JSONLogFormatter(timestamp: timestamp, includesScopes: options.includesScopes)
        case .systemd: SystemdLogFormatter(timestamp: timestamp)
        }
        func colors(_ descriptor: Int32) -> Bool {
            guard options.format == .simple, (environment["NO_COLOR"] ?? "").isEmpty else { return false }
            switch options.colorBehavior {
            case .enabled: return true
            case .disabled: return false
            case .default: return isatty(descriptor) == 1 && environment["TERM"] != "dumb"
            }
        }
        let destinations = ConsoleLogQueue.Destinations(
            output: output, errorOutput: errorOutput, outputColors: colors(output), errorColors: colors(errorOutput),
            errorThreshold: options.standardErrorThreshold
        )
        let queue = ConsoleLogQueue(capacity: max(1, options.maxQueueLength), formatter: formatter, destinations: destinations)
        self.queue = queue
        writer = NativeThread(name: "hostctl-log") { queue.runWriter() }
    }

    /// The writer finishes what is queued and ends on its own; it is not waited for, since a
    /// console nobody reads could hold it in write(2) for ever.
    deinit {
        queue.stop()
        writer.detach()
    }

    public func write(_ entry: consuming LogEntry) { entry.withRecord { queue.enqueue($0) } }

    public func write(level: LogLevel, category: String, eventID: EventID, utf8Message: UnsafeBufferPointer<UInt8>, timestamp: Int64) {
        queue.enqueue(LogRecord(level: level, category: category, eventID: eventID.id, message: utf8Message, timestamp: timestamp))
    }

    public func flush(timeout: Duration) { queue.waitUntilWritten(timeout: timeout) }

    /// Entries dropped so far because the queue was full (written out as a warning too).
    public var droppedCount: Int { queue.totalDropped }
}

/// The queue between the threads that log and the console's writer thread: formatted
/// lines behind a pthread mutex, and two condition variables (the writer waits for lines;
/// `flush` waits for the writer). Plain pthreads, so ThreadSanitizer sees the locking.
final class ConsoleLogQueue: @unchecked Sendable {
    struct Destinations: Sendable {
        let output: Int32
        let errorOutput: Int32
        let outputColors: Bool
        let errorColors: Bool
        let errorThreshold: LogLevel
    }

    private let capacity: Int
    /// How full a batch must be to go at once: half the queue at most, so a lingering
    /// writer is woken well before entries are dropped.
    private let batchSize: Int
    /// Used under `mutex` only: the simple format's header cache is shared state.
    private let formatter: any LogFormatter
    private let destinations: Destinations
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let entriesReady = makeMonotonicCondition()
    private let batchWritten = makeMonotonicCondition()
    // Guarded by `mutex`, so not checked for exclusive access at run time as well (a check
    // per access on every logged line).
    @exclusivity(unchecked) private var pending = ConsoleLines()
    @exclusivity(unchecked) private var dropped = 0
    @exclusivity(unchecked) private var droppedSoFar = 0
    @exclusivity(unchecked) private var enqueued: UInt64 = 0
    @exclusivity(unchecked) private var written: UInt64 = 0
    @exclusivity(unchecked) private var writerWaiting = false
    @exclusivity(unchecked) private var stopping = false

    init(capacity: Int, formatter: any LogFormatter, destinations: Destinations) {
        self.capacity = capacity
        self.formatter = formatter
        self.destinations = destinations
        batchSize = min(Self.largestBatch, max(1, capacity / 2))
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_cond_destroy(entriesReady)
        pthread_cond_destroy(batchWritten)
        pthread_mutex_destroy(mutex)
        entriesReady.deallocate()
        batchWritten.deallocate()
        mutex.deallocate()
    }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    var totalDropped: Int { locked { droppedSoFar } }

    /// Formats the entry into the queue; never waits for the console: a full queue drops
    /// the entry and counts it. The lock is taken inline (a closure would capture the record).
    func enqueue(_ record: borrowing LogRecord) {
        pthread_mutex_lock(mutex)
        if pending.count >= capacity {
            dropped += 1
            droppedSoFar += 1
        } else {
            append(record, to: &pending)
            enqueued += 1
        }
        // A writer lingering for a fuller batch is woken only once the batch is full.
        let wake = writerWaiting || pending.count == batchSize
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(entriesReady) }
    }

    /// Formats `record` at the end of `lines`, for the destination its level goes to; the
    /// caller holds the lock.
    private func append(_ record: borrowing LogRecord, to lines: inout ConsoleLines) {
        let toError = record.level >= destinations.errorThreshold
        lines.beginLine(toError: toError)
        formatter.format(record, colors: toError ? destinations.errorColors : destinations.outputColors, into: &lines.bytes)
    }

    func stop() {
        locked { stopping = true }
        pthread_cond_signal(entriesReady)
    }

    /// Returns once everything enqueued before the call is written, or after `timeout`.
    func waitUntilWritten(timeout: Duration) {
        var deadline = monotonicDeadline(after: timeout)
        pthread_mutex_lock(mutex)
        let target = enqueued
        while written < target, !stopping {
            if pthread_cond_timedwait(batchWritten, mutex, &deadline) == ETIMEDOUT { break }
        }
        pthread_mutex_unlock(mutex)
    }

    /// How long the writer waits for a batch to fill before writing what it has, and the
    /// largest batch. Measured with a line per request at 70,000 requests a second on one
    /// CPU (bench/static.py): waking the writer every 64 entries cost the server a futex
    /// wake-up and two context switches each time, a fifth of the log's price; a line on the
    /// console 5 ms late costs nobody anything.
    static let linger: Duration = .milliseconds(5)
    static let largestBatch = 256
    /// Lines held beyond this after a burst are given back rather than kept for the next.
    static let retainedBytes = 1 << 20

    /// The writer thread: takes everything queued at once and writes it with as few
    /// write(2) calls as the destinations allow, until stopped and drained.
    func runWriter() {
        var batch = ConsoleLines()
        while true {
            pthread_mutex_lock(mutex)
            while pending.count == 0, dropped == 0, !stopping {
                writerWaiting = true
                pthread_cond_wait(entriesReady, mutex)
                writerWaiting = false
            }
            if pending.count == 0, dropped == 0, stopping {
                pthread_mutex_unlock(mutex)
                return
            }
            // Woken by one entry, wait a moment for the ones behind it: at a line per
            // request, waking and writing per entry would cost each request a futex wake-up,
            // a context switch and a write(2). Entries arriving meanwhile do not signal.
            if pending.count < batchSize, !stopping {
                var deadline = monotonicDeadline(after: Self.linger)
                while pending.count < batchSize, !stopping {
                    if pthread_cond_timedwait(entriesReady, mutex, &deadline) == ETIMEDOUT { break }
                }
            }
            swap(&batch, &pending)
            if dropped > 0 {
                let count = dropped
                dropped = 0
                let message = "\(count) log \(count == 1 ? "entry was" : "entries were") dropped because the console could not keep up."
                let notice = LogEntry(
                    level: .warning, category: "Hostctl.Logging", eventID: 1, message: message,
                    properties: [("DroppedCount", String(count))], timestamp: LoggerCategory.wallClock()
                )
                notice.withRecord { append($0, to: &batch) }
            }
            let through = enqueued
            pthread_mutex_unlock(mutex)

            batch.forEachRun { bytes, toError in
                Self.write(bytes, to: toError ? destinations.errorOutput : destinations.output)
            }
            if batch.bytes.capacity > Self.retainedBytes {
                batch = ConsoleLines()
            } else {
                batch.removeAll()
            }

            pthread_mutex_lock(mutex)
            written = through
            pthread_mutex_unlock(mutex)
            pthread_cond_broadcast(batchWritten)
        }
    }

    /// Writes all of `bytes`, waiting (on this thread only) while the descriptor is full.
    /// A descriptor that fails (closed, gone) loses the batch: logging must not end the app.
    private static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        var offset = 0
        while offset < bytes.count {
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count > 0 {
                offset += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                _ = poll(&entry, 1, -1)
            } else {
                return
            }
        }
    }
}

/// Formatted lines waiting for the console, in the order they were logged, and where each
/// run of them goes (standard output or standard error).
struct ConsoleLines {
    var bytes: [UInt8] = []
    /// The offset where each run starts, and whether it goes to standard error.
    private var runs: [(start: Int, toError: Bool)] = []
    /// How many entries the bytes hold.
    private(set) var count = 0

    /// Starts an entry's bytes, which follow in `bytes`.
    mutating func beginLine(toError: Bool) {
        if runs.last?.toError != toError { runs.append((bytes.count, toError)) }
        count += 1
    }

    func forEachRun(_ body: (UnsafeRawBufferPointer, _ toError: Bool) -> Void) {
        bytes.withUnsafeBytes { all in
            for (index, run) in runs.enumerated() {
                let end = index + 1 < runs.count ? runs[index + 1].start : all.count
                if end > run.start { body(UnsafeRawBufferPointer(rebasing: all[run.start..<end]), run.toError) }
            }
        }
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        runs.removeAll(keepingCapacity: true)
        count = 0
    }
}
