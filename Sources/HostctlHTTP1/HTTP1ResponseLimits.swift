/// How much of a response head (and of a chunked response's trailers) the client side reads
/// before refusing it. ANCM reads at most 64 KiB of response headers; so does the front.
public struct HTTP1ResponseLimits: Sendable, Equatable {
    /// Bytes of the whole head: status line, field lines and the final empty line. Trailers
    /// of a chunked body are held to the same number of bytes.
    public var maxHeadSize = 65536

    public init() {}

    /// The request-side limits the chunked decoder applies to trailers, set to these.
    var trailerLimits: HTTP1Limits {
        var limits = HTTP1Limits()
        limits.maxRequestHeadersTotalSize = maxHeadSize
        limits.maxRequestHeaderCount = Int.max
        return limits
    }
}
