#if canImport(HostctlCore)
import HostctlCore
#endif

/// Parses `method SP request-target SP HTTP-version` (RFC 9112 §3), the request line without
/// its line end, with exactly one SP between the parts.
enum HTTP1RequestLineParser {
    /// "HTTP/" with its first byte in the lowest bits.
    private static let httpSlash: UInt64 = 0x2F_5054_5448

    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, into head: inout HTTP1RequestHead) throws(HTTP1ParseError) {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        func failure(_ reason: HTTP1ParseError.Reason) -> HTTP1ParseError {
            HTTP1ParseError(reason, detail: HTTP1PrintableExcerpt.make(base, start, end))
        }

        // method = token (RFC 9110 §9.1)
        var index = start
        while index < end, HTTP1ByteClass.isTokenCharacter(byte(index)) { index &+= 1 }
        guard index > start, index < end, byte(index) == HTTP1ByteClass.space else { throw failure(.invalidRequestLine) }
        let method = HTTPMethod(bytes: UnsafeRawBufferPointer(start: base + start, count: index - start))
        index &+= 1

        // request-target: VCHAR only (a second SP in a row leaves it empty).
        let targetStart = index
        while index < end {
            if index &+ 8 <= end, HTTP1WordScanner.isVisible(HTTP1WordScanner.load(base, index)) {
                index &+= 8
                continue
            }
            let current = byte(index)
            if HTTP1ByteClass.isVisible(current) {
                index &+= 1
            } else if current == HTTP1ByteClass.space {
                break
            } else if current == HTTP1ByteClass.carriageReturn {
                throw failure(.invalidRequestLine)
            } else {
                throw failure(.invalidRequestTarget)
            }
        }
        guard index > targetStart, index < end else { throw failure(.invalidRequestLine) }
        let targetEnd = index
        index &+= 1

        head.version = try version(base, index, end, failure)
        head.method = method
        head.target = targetStart..<targetEnd
        let parts = try HTTP1RequestTargetParser.parse(base, targetStart, targetEnd, method: method)
        head.targetForm = parts.form
        head.path = parts.path
        head.query = parts.query
        head.authority = parts.authority
    }

    /// HTTP-version (RFC 9112 §2.3): exactly "HTTP/1.1" or "HTTP/1.0", case-sensitive. Any
    /// other "HTTP/…" is a version this server does not speak (505); anything else, or a
    /// version with SP or control bytes in it, is not a request line.
    private static func version(
        _ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ failure: (HTTP1ParseError.Reason) -> HTTP1ParseError
    ) throws(HTTP1ParseError) -> HTTPVersion {
        let count = end - start
        if count == 8 {
            if let known = HTTP1VersionWord.version(base.loadUnaligned(fromByteOffset: start, as: UInt64.self)) { return known }
        }
        for offset in start..<end where !HTTP1ByteClass.isVisible(base.load(fromByteOffset: offset, as: UInt8.self)) {
            throw failure(.invalidRequestLine)
        }
        if count >= 5 {
            var prefix: UInt64 = 0
            for offset in 0..<5 {
                prefix |= UInt64(base.load(fromByteOffset: start + offset, as: UInt8.self)) << UInt64(8 * offset)
            }
            if prefix == httpSlash { throw failure(.unrecognizedHTTPVersion) }
        }
        throw failure(.invalidRequestLine)
    }
}
