/// The syntax of one field line, `field-name ":" OWS field-value OWS` (RFC 9112 §5), shared by
/// header lines and chunked trailer lines (RFC 9112 §7.1.2), which follow the same rules.
enum HTTP1FieldLineParser {
    enum Failure: Error {
        /// The line's structure is wrong: obs-fold (RFC 9112 §5.2), whitespace before the colon
        /// (§5.1), no colon, an empty name, or a value byte RFC 9110 §5.5 does not allow.
        case invalidLine
        /// The name holds a byte that is not a tchar (RFC 9110 §5.1).
        case invalidNameCharacter
    }

    /// Parses `base[start..<end]`, a line without its line end, into a field whose value is
    /// trimmed of SP and HTAB. Value bytes: HTAB, SP, VCHAR and obs-text that forms valid UTF-8;
    /// NUL, CR, LF, DEL and other controls are refused.
    @inline(__always)
    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(Failure) -> HTTP1Field {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }

        var index = start
        var nameHasInvalidByte = false
        while index < end {
            let current = byte(index)
            if HTTP1ByteClass.isTokenCharacter(current) {
                index &+= 1
            } else if current == HTTP1ByteClass.colon {
                break
            } else if HTTP1ByteClass.isWhitespace(current) || current == HTTP1ByteClass.carriageReturn {
                // A line starting with whitespace is obs-fold; whitespace before the colon must
                // be rejected (RFC 9112 §5.1); a CR here is a bare CR.
                throw .invalidLine
            } else {
                nameHasInvalidByte = true
                index &+= 1
            }
        }
        guard index < end, index > start else { throw .invalidLine }
        if nameHasInvalidByte { throw .invalidNameCharacter }
        let nameEnd = index
        index &+= 1

        while index < end, HTTP1ByteClass.isWhitespace(byte(index)) { index &+= 1 }
        let valueStart = index
        var hasNonASCII = false
        while index < end {
            if index &+ 8 <= end, HTTP1WordScanner.isSpaceOrVisible(HTTP1WordScanner.load(base, index)) {
                index &+= 8
                continue
            }
            let current = byte(index)
            index &+= 1
            if current >= 0x80 {
                hasNonASCII = true
            } else if !(current &- 0x20 < 0x5F || current == HTTP1ByteClass.tab) {
                throw .invalidLine
            }
        }
        var valueEnd = end
        while valueEnd > valueStart, HTTP1ByteClass.isWhitespace(byte(valueEnd &- 1)) { valueEnd &-= 1 }
        if hasNonASCII, !HTTP1UTF8Validator.isValid(base, valueStart, valueEnd) { throw .invalidLine }
        return HTTP1Field(name: start..<nameEnd, value: valueStart..<valueEnd)
    }
}
