/// Turns offending bytes into the short, log-safe `detail` of an `HTTP1ParseError`:
/// printable ASCII as is, every other byte (and the backslash) as `\xNN`, cut to 64 characters.
/// Built only when an error is thrown, never on the success path.
enum HTTP1PrintableExcerpt {
    static let maximumLength = 64

    static func make(_ bytes: UnsafeRawBufferPointer) -> String {
        let hexDigits: StaticString = "0123456789ABCDEF"
        @inline(__always) func isPrintable(_ byte: UInt8) -> Bool {
            byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\")
        }
        // Does everything fit? Look no further than needed to know (lines may be 8 KiB).
        var width = 0
        for byte in bytes {
            width += isPrintable(byte) ? 1 : 4
            if width > maximumLength { break }
        }
        let isTruncated = width > maximumLength
        // When everything does not fit, keep room for the "..." that says so.
        let budget = isTruncated ? maximumLength - 3 : maximumLength
        var out: [UInt8] = []
        out.reserveCapacity(maximumLength)
        for byte in bytes {
            let printable = isPrintable(byte)
            if out.count + (printable ? 1 : 4) > budget { break }
            if printable {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "x"))
                out.append(hexDigits.utf8Start[Int(byte >> 4)])
                out.append(hexDigits.utf8Start[Int(byte & 0xF)])
            }
        }
        if isTruncated { out.append(contentsOf: [0x2E, 0x2E, 0x2E]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The excerpt of `base[start..<end]`.
    static func make(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> String {
        make(UnsafeRawBufferPointer(start: base + start, count: max(0, end - start)))
    }
}

extension HTTP1PrintableExcerpt {
    /// The excerpt of a single byte.
    static func make(bytesOf byte: UInt8) -> String {
        withUnsafeBytes(of: byte) { make($0) }
    }
}
