import HostctlCore

/// Turns entries into the bytes a console shows. The console runs its formatter on the
/// thread that logs, under its queue's lock, straight into the queued bytes: its writer
/// thread then only writes.
protocol LogFormatter: Sendable {
    func format(_ record: borrowing LogRecord, colors: Bool, into output: inout [UInt8])
}

extension Array where Element == UInt8 {
    /// A String's bytes. Labelled, so that a literal appended here takes the StaticString
    /// overload rather than this one.
    mutating func append(string text: String) {
        text.withUTF8Bytes { append(contentsOf: $0) }
    }

    /// `value` in decimal, zero-padded to `minimumDigits` (a timestamp's parts, an event id).
    mutating func append(decimal value: Int, minimumDigits: Int = 1) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        let digits = ASCIIDigits.count(UInt64(magnitude), radix: 10)
        if digits < minimumDigits { append(contentsOf: repeatElement(UInt8(ascii: "0"), count: minimumDigits - digits)) }
        let start = count
        append(contentsOf: repeatElement(0, count: digits))
        _ = withUnsafeMutableBytes { ASCIIDigits.write(UInt64(magnitude), radix: 10, to: $0.baseAddress! + start) }
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }

    /// `text` with every line break replaced by `separator` (a line break and the
    /// indentation, or a space for one-line formats); CR LF counts as one break.
    mutating func append(_ text: String, replacingLineBreaksWith separator: StaticString) {
        text.withUTF8Bytes { append(utf8: $0.assumingMemoryBound(to: UInt8.self), replacingLineBreaksWith: separator) }
    }

    /// UTF-8 `bytes`, as `append(_:replacingLineBreaksWith:)`.
    mutating func append(utf8 bytes: UnsafeBufferPointer<UInt8>, replacingLineBreaksWith separator: StaticString) {
        guard let base = bytes.baseAddress else { return }
        // Most text has nothing to replace: find the special bytes eight at a time and
        // copy the runs between them whole.
        let count = bytes.count
        var runStart = 0
        var index = 0
        while index < count {
            while index + 8 <= count, !ASCII.mayHoldControlByte(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
            let end = Swift.min(index + 8, count)
            while index < end {
                let byte = base[index]
                guard byte < 0x20 || byte == 0x7F, byte != UInt8(ascii: "\t") else {
                    index += 1
                    continue
                }
                append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: index - runStart))
                if byte == UInt8(ascii: "\n") {
                    // CR LF is one break: its CR already wrote the separator.
                    if index == 0 || base[index - 1] != UInt8(ascii: "\r") { append(separator) }
                } else if byte == UInt8(ascii: "\r") {
                    append(separator)
                } else {
                    // Other control characters (an escape sequence in a request path) are
                    // shown, not obeyed: a log line must not be able to drive the terminal.
                    append(UInt8(ascii: "^"))
                    append(byte == 0x7F ? UInt8(ascii: "?") : byte + 0x40)
                }
                index += 1
                runStart = index
            }
        }
        append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
    }
}
