import HostctlCore

/// An entry as a formatter reads it. The message is borrowed UTF-8 bytes, so a message
/// written straight into a buffer (the request log's line, once per request on a loop
/// thread) is formatted without ever becoming a String or a `LogEntry`.
struct LogRecord {
    var level: LogLevel
    var category: String
    var eventID: Int
    var message: UnsafeBufferPointer<UInt8>
    var error: String? = nil
    var properties: [(name: String, value: String)] = []
    var scopes: [String] = []
    var timestamp: Int64
}

extension LogEntry {
    /// The entry as a record, for the duration of `body`.
    func withRecord<Result>(_ body: (borrowing LogRecord) -> Result) -> Result {
        message.withUTF8Bytes { bytes in
            body(LogRecord(
                level: level, category: category, eventID: eventID.id, message: bytes.assumingMemoryBound(to: UInt8.self), error: error,
                properties: properties, scopes: scopes, timestamp: timestamp
            ))
        }
    }
}

extension LogFormatter {
    func format(_ entry: LogEntry, colors: Bool, into output: inout [UInt8]) {
        entry.withRecord { format($0, colors: colors, into: &output) }
    }
}
