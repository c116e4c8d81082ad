import Glibc
import HostctlSystem

/// The console: entries formatted as ASP.NET Core formats them, written by a thread of its
/// own, so the thread that logs (an event loop) never waits for a terminal or a pipe.
///
/// Entries wait in a queue of at most `maxQueueLength`; when the console cannot keep up
/// and the queue is full, new entries are dropped and counted, and once the console drains
/// the count is written as a warning:
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
        let queue = ConsoleLogQueue(capacity: max(1, options.maxQueueLength))
        self.queue = queue
        writer = NativeThread(name: "hostctl-log") { queue.runWriter(formatter: formatter, destinations: destinations) }
    }

    /// The writer finishes what is queued and ends on its own; it is not waited for, since a
    /// console nobody reads could hold it in write(2) for ever.
    deinit {
        queue.stop()
        writer.detach()
    }

    public func write(_ entry: consuming LogEntry) { queue.enqueue(entry) }

    public func flush(timeout: Duration) { queue.waitUntilWritten(timeout: timeout) }

    /// Entries dropped so far because the queue was full (written out as a warning too).
    public var droppedCount: Int { queue.totalDropped }
}

/// The queue between the threads that log and the console's writer thread: a pthread
/// mutex and two condition variables (the writer waits for entries; `flush` waits for the
/// writer). Plain pthreads, so ThreadSanitizer sees the locking.
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
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let entriesReady = makeMonotonicCondition()
    private let batchWritten = makeMonotonicCondition()
    // Guarded by `mutex`, so not checked for exclusive access at run time as well (a check
    // per access on every logged line).
    @exclusivity(unchecked) private var pending: [LogEntry] = []
    @exclusivity(unchecked) private var dropped = 0
    @exclusivity(unchecked) private var droppedSoFar = 0
    @exclusivity(unchecked) private var enqueued: UInt64 = 0
    @exclusivity(unchecked) private var written: UInt64 = 0
    @exclusivity(unchecked) private var writerWaiting = false
    @exclusivity(unchecked) private var stopping = false

    init(capacity: Int) {
        self.capacity = capacity
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

    /// Never waits for the console: a full queue drops the entry and counts it.
    /// Takes the entry, and the lock inline: through the `locked` closure the entry was
    /// captured, copied and destroyed on every logged line.
    func enqueue(_ entry: consuming LogEntry) {
        pthread_mutex_lock(mutex)
        if pending.count >= capacity {
            dropped += 1
            droppedSoFar += 1
        } else {
            pending.append(entry)
            enqueued += 1
        }
        // A writer lingering for a fuller batch is woken only once the batch is full.
        let wake = writerWaiting || pending.count == batchSize
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(entriesReady) }
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

    /// The writer thread: takes everything queued at once, formats it and writes it with
    /// as few write(2) calls as the destinations allow, until stopped and drained.
    func runWriter(formatter: any LogFormatter, destinations: Destinations) {
        var batch: [LogEntry] = []
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16 * 1024)
        while true {
            pthread_mutex_lock(mutex)
            while pending.isEmpty, dropped == 0, !stopping {
                writerWaiting = true
                pthread_cond_wait(entriesReady, mutex)
                writerWaiting = false
            }
            if pending.isEmpty, dropped == 0, stopping {
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
            let droppedNow = dropped
            dropped = 0
            let through = enqueued
            pthread_mutex_unlock(mutex)

            var descriptor = destinations.output
            for entry in batch {
                let toError = entry.level >= destinations.errorThreshold
                let target = toError ? destinations.errorOutput : destinations.output
                if target != descriptor, !bytes.isEmpty {
                    Self.write(bytes, to: descriptor)
                    bytes.removeAll(keepingCapacity: true)
                }
                descriptor = target
                formatter.format(entry, colors: toError ? destinations.errorColors : destinations.outputColors, into: &bytes)
            }
            if droppedNow > 0 {
                let notice = LogEntry(
                    level: .warning, category: "Hostctl.Logging", eventID: 1,
                    message: "\(droppedNow) log \(droppedNow == 1 ? "entry was" : "entries were") dropped because the console could not keep up.",
                    properties: [("DroppedCount", String(droppedNow))], timestamp: LoggerCategory.wallClock()
                )
                let target = notice.level >= destinations.errorThreshold ? destinations.errorOutput : destinations.output
                if target != descriptor, !bytes.isEmpty {
                    Self.write(bytes, to: descriptor)
                    bytes.removeAll(keepingCapacity: true)
                }
                descriptor = target
                formatter.format(notice, colors: target == destinations.errorOutput ? destinations.errorColors : destinations.outputColors, into: &bytes)
            }
            if !bytes.isEmpty { Self.write(bytes, to: descriptor) }
            bytes.removeAll(keepingCapacity: true)
            batch.removeAll(keepingCapacity: true)

            pthread_mutex_lock(mutex)
            written = through
            pthread_mutex_unlock(mutex)
            pthread_cond_broadcast(batchWritten)
        }
    }

    /// Writes all of `bytes`, waiting (on this thread only) while the descriptor is full.
    /// A descriptor that fails (closed, gone) loses the batch: logging must not end the app.
    private static func write(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
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
}
