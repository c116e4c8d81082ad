/// Helpers for the request-target once a head is parsed.
public enum HTTP1Target {
    /// Percent-decodes a path (RFC 3986 §2.1) as Kestrel does, for routing.
    ///
    /// `%XX` becomes the byte XX, except `%2F` and `%2f`, which stay as written: decoding must
    /// never create a path separator, or `/a%2Fb` would route like `/a/b`. Malformed escapes
    /// (`%G1`, a `%` near the end) are kept literally. When the decoded bytes are not valid
    /// UTF-8, the result is the raw, undecoded path instead.
    public static func decodePath(_ bytes: UnsafeRawBufferPointer) -> String {
        guard let base = bytes.baseAddress, bytes.contains(UInt8(ascii: "%")) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var isValid = true
        let decoded = String(unsafeUninitializedCapacity: bytes.count) { output in
            var read = 0
            var written = 0
            let count = bytes.count
            while read < count {
                let byte = bytes[read]
                if byte == UInt8(ascii: "%"), read + 2 < count,
                   let high = HTTP1ByteClass.hexValue(bytes[read + 1]), let low = HTTP1ByteClass.hexValue(bytes[read + 2]),
                   !(high == 2 && low == 0xF) {
                    output[written] = high << 4 | low
                    read += 3
                } else {
                    output[written] = byte
                    read += 1
                }
                written += 1
            }
            guard let outputBase = output.baseAddress,
                  HTTP1UTF8Validator.isValid(UnsafeRawPointer(outputBase), 0, written) else {
                isValid = false
                return 0
            }
            return written
        }
        return isValid ? decoded : String(decoding: UnsafeRawBufferPointer(start: base, count: bytes.count), as: UTF8.self)
    }
}
