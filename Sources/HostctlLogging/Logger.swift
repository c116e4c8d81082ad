import Glibc
import Synchronization

/// Writes log entries for one category, as .NET's ILogger: `information`, `warning`, … or
/// `log(_:_:event:)`. A call whose level is filtered out costs one atomic load and a compare:
/// the message is an autoclosure, built only when some sink wants the entry.
///
/// ```swift
/// let logger = app.logger(category: "Shop")
/// logger.information("Order \(order.id) placed")
/// logger.error("Payment failed", error: error)
/// if logger.isEnabled(.debug) { logger.debug(expensiveDump()) }
/// ```
public struct Logger: Sendable {
    @usableFromInline let state: LoggerCategory

    /// The category ("Microsoft.Hosting.Lifetime", "Shop").
    public var category: String { state.name }

    /// Whether an entry at `level` would go anywhere. Inlinable: a server checks it on its
    /// per-request paths.
    @inlinable @inline(__always)
    public func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue >= state.minimum.load(ordering: .relaxed)
    }

    /// Logs `message` (built only if the level is enabled) with `event`, an optional error
    /// and optional named values for structured sinks.
    @inline(__always)
    public func log(
        _ level: LogLevel, _ message: @autoclosure () -> String, event: EventID = 0, error: (any Error)? = nil,
        properties: @autoclosure () -> [(name: String, value: String)] = []
    ) {
        guard isEnabled(level), level != .none else { return }
        state.emit(level, event, message(), error: error.map(Self.describe), properties: properties())
    }

    /// Logs a message that `body` writes as UTF-8 into a buffer of `capacity` bytes (on the
    /// stack when small), returning how many it wrote: for a line per request, which then
    /// becomes neither a String nor, on the console, an entry. `body` writes whole characters.
    @inline(__always)
    package func log(
        _ level: LogLevel, event: EventID = 0, utf8Capacity capacity: Int, writingMessage body: (UnsafeMutableBufferPointer<UInt8>) -> Int
    ) {
        guard isEnabled(level), level != .none else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let count = body(buffer)
            state.emit(level, event, utf8Message: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
    }

    public func trace(_ message: @autoclosure () -> String, event: EventID = 0) { log(.trace, message(), event: event) }
    public func debug(_ message: @autoclosure () -> String, event: EventID = 0) { log(.debug, message(), event: event) }
    public func information(_ message: @autoclosure () -> String, event: EventID = 0) { log(.information, message(), event: event) }
    public func warning(_ message: @autoclosure () -> String, event: EventID = 0, error: (any Error)? = nil) {
        log(.warning, message(), event: event, error: error)
    }
    public func error(_ message: @autoclosure () -> String, event: EventID = 0, error: (any Error)? = nil) {
        log(.error, message(), event: event, error: error)
    }
    public func critical(_ message: @autoclosure () -> String, event: EventID = 0, error: (any Error)? = nil) {
        log(.critical, message(), event: event, error: error)
    }

    /// "TypeName: description", the way an error is shown under its entry.
    public static func describe(_ error: any Error) -> String {
        "\(String(reflecting: type(of: error))): \(error)"
    }
}

/// A category's shared state: its name and the minimum level of every sink for it (kept
/// current when the filter rules are reloaded), packed so a check is one atomic load.
@usableFromInline
final class LoggerCategory: Sendable {
    let name: String
    /// The factory's sinks (not the factory, which keeps its categories).
    let sinks: [any LogSink]
    let capturesScopes: Bool
    /// The lowest level any sink takes for this category (`LogLevel.rawValue`).
    @usableFromInline let minimum: Atomic<Int>
    /// Each sink's minimum, four bits per sink in sink order.
    let sinkLevels: Atomic<UInt64>

    init(name: String, sinks: [any LogSink], levels: [LogLevel]) {
        self.name = name
        self.sinks = sinks
        capturesScopes = sinks.contains { $0.includesScopes }
        minimum = Atomic(Self.minimum(levels))
        sinkLevels = Atomic(Self.pack(levels))
    }

    func update(_ levels: [LogLevel]) {
        sinkLevels.store(Self.pack(levels), ordering: .relaxed)
        minimum.store(Self.minimum(levels), ordering: .relaxed)
    }

    func emit(_ level: LogLevel, _ event: EventID, _ message: String, error: String?, properties: [(name: String, value: String)]) {
        let levels = sinkLevels.load(ordering: .relaxed)
        // The usual case, one sink: the entry is made as its argument and moved into it.
        if sinks.count == 1 {
            guard Self.sink(at: 0, takes: level, levels) else { return }
            sinks[0].write(entry(level, event, message, error: error, properties: properties))
            return
        }
        let entry = entry(level, event, message, error: error, properties: properties)
        for (index, sink) in sinks.enumerated() where Self.sink(at: index, takes: level, levels) {
            sink.write(entry)
        }
    }

    func emit(_ level: LogLevel, _ event: EventID, utf8Message message: UnsafeBufferPointer<UInt8>) {
        // Scopes are captured into entries only.
        if capturesScopes {
            emit(level, event, String(decoding: message, as: UTF8.self), error: nil, properties: [])
            return
        }
        let levels = sinkLevels.load(ordering: .relaxed)
        let timestamp = Self.wallClock()
        for index in sinks.indices where Self.sink(at: index, takes: level, levels) {
            sinks[index].write(level: level, category: name, eventID: event, utf8Message: message, timestamp: timestamp)
        }
    }

    /// Whether the sink at `index` takes `level`, by its four bits in `levels` (`sinkLevels`).
    @inline(__always)
    private static func sink(at index: Int, takes level: LogLevel, _ levels: UInt64) -> Bool {
        level.rawValue >= Int(truncatingIfNeeded: (levels >> (UInt64(index) * 4)) & 0xF)
    }

    @inline(__always)
    private func entry(_ level: LogLevel, _ event: EventID, _ message: String, error: String?, properties: [(name: String, value: String)]) -> LogEntry {
        LogEntry(
            level: level, category: name, eventID: event, message: message, error: error, properties: properties,
            scopes: capturesScopes ? LogScope.descriptions : [], timestamp: Self.wallClock()
        )
    }

    static func wallClock() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    private static func minimum(_ levels: [LogLevel]) -> Int { levels.map(\.rawValue).min() ?? LogLevel.none.rawValue }

    private static func pack(_ levels: [LogLevel]) -> UInt64 {
        levels.enumerated().reduce(0) { packed, item in packed | UInt64(item.element.rawValue) << (UInt64(item.offset) * 4) }
    }
}
