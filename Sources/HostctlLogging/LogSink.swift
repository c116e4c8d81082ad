/// Where log entries go: the console, or whatever an app adds (a file, a collector).
/// `write` is called on the thread that logs, often a server's event loop, so it must not
/// block: queue the entry and do the slow part elsewhere.
///
/// ```swift
/// final class MemorySink: LogSink, @unchecked Sendable {
///     let name = "Memory"
///     var entries: [LogEntry] = []   // guard with a lock in real code
///     func write(_ entry: consuming LogEntry) { entries.append(entry) }
/// }
/// ```
public protocol LogSink: AnyObject, Sendable {
    /// The provider name configuration uses for filters that apply to this sink only
    /// (`Logging:Console:LogLevel:Default`).
    var name: String { get }
    /// Whether entries should carry their scopes (capturing them costs a little per entry).
    var includesScopes: Bool { get }
    /// Takes the entry: the last sink an entry goes to gets it without a copy.
    func write(_ entry: consuming LogEntry)
    /// Takes an entry whose message is UTF-8 bytes that live only for the call (the request
    /// log writes its line into a stack buffer). The default makes a `LogEntry` of it for
    /// `write(_:)`; a sink that formats at once (the console) skips the String.
    func write(level: LogLevel, category: String, eventID: EventID, utf8Message: UnsafeBufferPointer<UInt8>, timestamp: Int64)
    /// Waits until what was written so far is out, or `timeout` has passed (at exit).
    func flush(timeout: Duration)
}

extension LogSink {
    public var includesScopes: Bool { false }
    public func write(level: LogLevel, category: String, eventID: EventID, utf8Message: UnsafeBufferPointer<UInt8>, timestamp: Int64) {
        write(LogEntry(
            level: level, category: category, eventID: eventID, message: String(decoding: utf8Message, as: UTF8.self), timestamp: timestamp
        ))
    }
    public func flush(timeout: Duration) {}
}
