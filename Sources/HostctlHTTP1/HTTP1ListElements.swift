/// The elements of a comma-separated field value (RFC 9110 §5.6.1: `#element`), shared by
/// the request and response heads for Connection and Transfer-Encoding, and the front's
/// hop-by-hop rules.
public enum HTTP1ListElements {
    /// Calls `body` with each non-empty element of `base[range]`, trimmed of OWS.
    @inline(__always)
    public static func forEach(_ base: UnsafeRawPointer, _ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        var index = range.lowerBound
        let end = range.upperBound
        while index < end {
            while index < end, HTTP1ByteClass.isWhitespace(base.load(fromByteOffset: index, as: UInt8.self)) { index &+= 1 }
            let elementStart = index
            var elementEnd = index
            while index < end {
                let current = base.load(fromByteOffset: index, as: UInt8.self)
                if current == HTTP1ByteClass.comma { break }
                index &+= 1
                if !HTTP1ByteClass.isWhitespace(current) { elementEnd = index }
            }
            if elementEnd > elementStart { body(UnsafeRawBufferPointer(start: base + elementStart, count: elementEnd - elementStart)) }
            index &+= 1
        }
    }
}

extension HTTP1ListElements {
    /// Calls `body` with each non-empty element of `value`, trimmed of OWS.
    public static func forEach(in value: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard let base = value.baseAddress else { return }
        forEach(base, 0..<value.count, body)
    }
}
