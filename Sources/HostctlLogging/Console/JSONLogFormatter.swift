/// One JSON object per line, with .NET's JSON console format's names:
///
///     {"EventId":14,"LogLevel":"Information","Category":"Microsoft.Hosting.Lifetime",
///      "Message":"Now listening on: http://localhost:5000","State":{"Message":"…"}}
///
/// (on one line), with "Timestamp" when a timestamp format is set, "Exception" for an
/// error, the entry's named values in "State", and "Scopes" when scopes are included.
struct JSONLogFormatter: LogFormatter {
    let timestamp: LogTimestamp?
    let includesScopes: Bool

    func format(_ entry: borrowing LogRecord, colors: Bool, into output: inout [UInt8]) {
        output.append("{")
        if let timestamp {
            output.append("\"Timestamp\":\"")
            var text: [UInt8] = []
            timestamp.format(entry.timestamp, into: &text)
            Self.escape(text, into: &output)
            output.append("\",")
        }
        output.append("\"EventId\":")
        output.append(decimal: entry.eventID)
        output.append(",\"LogLevel\":\"")
        output.append(string: entry.level.description)
        output.append("\",\"Category\":\"")
        Self.escape(entry.category, into: &output)
        output.append("\",\"Message\":\"")
        Self.escape(entry.message, into: &output)
        output.append("\"")
        if let error = entry.error {
            output.append(",\"Exception\":\"")
            Self.escape(error, into: &output)
            output.append("\"")
        }
        output.append(",\"State\":{\"Message\":\"")
        Self.escape(entry.message, into: &output)
        output.append("\"")
        for (name, value) in entry.properties {
            output.append(",\"")
            Self.escape(name, into: &output)
            output.append("\":\"")
            Self.escape(value, into: &output)
            output.append("\"")
        }
        output.append("}")
        if includesScopes {
            output.append(",\"Scopes\":[")
            for (index, scope) in entry.scopes.enumerated() {
                if index > 0 { output.append(",") }
                output.append("\"")
                Self.escape(scope, into: &output)
                output.append("\"")
            }
            output.append("]")
        }
        output.append("}\n")
    }

    /// A JSON string's content: quotes, backslashes and control characters escaped.
    static func escape(_ text: String, into output: inout [UInt8]) { escape(text.utf8, into: &output) }

    static func escape(_ bytes: some Sequence<UInt8>, into output: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output.append("\\\"")
            case UInt8(ascii: "\\"): output.append("\\\\")
            case UInt8(ascii: "\n"): output.append("\\n")
            case UInt8(ascii: "\r"): output.append("\\r")
            case UInt8(ascii: "\t"): output.append("\\t")
            case 0..<0x20, 0x7F:
                output.append("\\u00")
                output.append(hex.utf8Start[Int(byte >> 4)])
                output.append(hex.utf8Start[Int(byte & 0xF)])
            default: output.append(byte)
            }
        }
    }
}
