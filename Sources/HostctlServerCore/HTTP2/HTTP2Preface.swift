import Glibc

/// HTTP/2's client connection preface, as an HTTP/1.1 driver meets it: its first line reads
/// as a request line of version HTTP/2.0 (RFC 9113 §3.4), which no HTTP/1.1 request has.
enum HTTP2Preface {
    static let requestLine: StaticString = "PRI * HTTP/2.0\r\n"

    /// Whether `bytes` begin with the preface's first line (the state machine checks the rest).
    static func startsWithRequestLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = requestLine.utf8CodeUnitCount
        guard bytes.count >= count, let base = bytes.baseAddress else { return false }
        return memcmp(base, requestLine.utf8Start, count) == 0
    }
}
