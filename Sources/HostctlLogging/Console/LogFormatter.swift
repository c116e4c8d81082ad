/// Turns entries into the bytes a console shows. Formatters run on the console sink's
/// writer thread, never on the thread that logged.
protocol LogFormatter: Sendable {
    func format(_ entry: LogEntry, colors: Bool, into output: inout [UInt8])
}

extension Array where Element == UInt8 {
    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// `text` with every line break replaced by `separator` (a line break and the
    /// indentation, or a space for one-line formats); CR LF counts as one break.
    mutating func append(_ text: String, replacingLineBreaksWith separator: StaticString) {
        var previousWasCR = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n") {
                if !previousWasCR { append(separator) }
                previousWasCR = false
            } else if byte == UInt8(ascii: "\r") {
                append(separator)
                previousWasCR = true
            } else {
                // Other control characters (an escape sequence in a request path) are shown,
                // not obeyed: a log line must not be able to drive the terminal.
                if byte < 0x20 && byte != UInt8(ascii: "\t") || byte == 0x7F {
                    append(UInt8(ascii: "^"))
                    append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
                } else {
                    append(byte)
                }
                previousWasCR = false
            }
        }
    }
}
