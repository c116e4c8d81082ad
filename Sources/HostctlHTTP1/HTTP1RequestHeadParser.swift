#if canImport(Glibc)
import Glibc
#endif

/// Finds and parses request heads (RFC 9112 §2–§5).
///
/// Resumable: keep one per connection and call `parse` each time more bytes arrive, always
/// passing the bytes from the head's first byte (now longer). It goes on from the line where it
/// stopped, so a head trickled in one byte at a time costs linear time, not quadratic (slowloris).
/// Limits are enforced while scanning: a request line already longer than the limit fails with
/// 414 before its end arrives, and likewise header lines with 431.
///
/// Lines are found with `memchr` and checked when complete, each exactly once; the parsed head
/// lives in the caller's `HTTP1RequestHead`, so pass the same head to every call for one request.
public struct HTTP1RequestHeadParser: Sendable {
    public var limits: HTTP1Limits

    /// Empty lines accepted before a request line (RFC 9112 §2.2 says to ignore "at least one";
    /// a client sending more is not confused, it is abusing the connection).
    static let maximumSkippedEmptyLines = 4

    private enum Stage: Sendable {
        case idle, requestLine, headerLines, complete
        case failed(HTTP1ParseError)
    }

    private var stage = Stage.idle
    /// Where the line being scanned starts.
    private var lineStart = 0
    /// Where the search for the next LF goes on.
    private var scanOffset = 0
    private var skippedEmptyLines = 0
    private var headerCount = 0
    private var headerBytes = 0
    private var summary = HTTP1FieldSummary()

    public init(limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
    }

    /// Forget scan progress, before parsing the next request.
    public mutating func reset() {
        stage = .idle
        lineStart = 0
        scanOffset = 0
        skippedEmptyLines = 0
        headerCount = 0
        headerBytes = 0
        summary = HTTP1FieldSummary()
    }

    /// Reads as much of a head as `bytes` holds.
    ///
    /// Returns true when `head` holds a complete, valid head (bytes from `head.length` on are the
    /// body or the next request), false when more bytes are needed. Throws for any invalid input
    /// as soon as it is detectable; after that (or after true) it keeps giving the same answer
    /// until `reset()`.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into head: inout HTTP1RequestHead) throws(HTTP1ParseError) -> Bool {
        switch stage {
        case .complete:
            return true
        case .failed(let error):
            throw error
        case .idle:
            head.prepareForReuse()
            stage = .requestLine
        case .requestLine, .headerLines:
            break
        }
        precondition(bytes.count >= scanOffset, "parse needs the bytes from the head's first byte, never fewer than before")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
        do {
            return try scan(base, bytes.count, &head)
        } catch {
            stage = .failed(error)
            throw error
        }
    }

    private mutating func scan(_ base: UnsafeRawPointer, _ end: Int, _ head: inout HTTP1RequestHead) throws(HTTP1ParseError) -> Bool {
        if lineStart == 0, scanOffset < 2, base.load(as: UInt8.self) == 0x16 {
            // A TLS record of type handshake (0x16) with major version 3: https on a plain port.
            guard end >= 2 else { return false }
            if base.load(fromByteOffset: 1, as: UInt8.self) == 0x03 { throw HTTP1ParseError(.tlsHandshakeOnPlainPort) }
        }
        while true {
            guard scanOffset < end, let found = memchr(base + scanOffset, Int32(HTTP1ByteClass.lineFeed), end - scanOffset) else {
                scanOffset = end
                try checkPartialLine(base, end)
                return false
            }
            let lineFeed = UnsafeRawPointer(found) - base
            scanOffset = lineFeed + 1
            let isEndOfHead: Bool
            if case .requestLine = stage {
                try requestLine(base, lineFeed, &head)
                isEndOfHead = false
            } else {
                isEndOfHead = try headerLine(base, lineFeed, &head)
            }
            lineStart = lineFeed + 1
            if isEndOfHead {
                head.length = lineStart
                try summary.finish(base, into: &head)
                stage = .complete
                return true
            }
        }
    }

    /// The request line, or an empty line before it, ending at `lineFeed`.
    private mutating func requestLine(_ base: UnsafeRawPointer, _ lineFeed: Int, _ head: inout HTTP1RequestHead) throws(HTTP1ParseError) {
        guard lineFeed + 1 - lineStart <= limits.maxRequestLineSize else {
            throw HTTP1ParseError(.requestLineTooLong, detail: HTTP1PrintableExcerpt.make(base, lineStart, lineFeed))
        }
        let contentEnd = try self.contentEnd(base, lineFeed, .invalidRequestLine)
        if contentEnd == lineStart {
            skippedEmptyLines += 1
            guard skippedEmptyLines <= Self.maximumSkippedEmptyLines else {
                throw HTTP1ParseError(.invalidRequestLine)
            }
            return
        }
        try HTTP1RequestLineParser.parse(base, lineStart, contentEnd, into: &head)
        stage = .headerLines
    }

    /// A header line, or the empty line that ends the head (then returns true).
    private mutating func headerLine(_ base: UnsafeRawPointer, _ lineFeed: Int, _ head: inout HTTP1RequestHead) throws(HTTP1ParseError) -> Bool {
        let lineLength = lineFeed + 1 - lineStart
        let hasCarriageReturn = lineFeed > lineStart && base.load(fromByteOffset: lineFeed - 1, as: UInt8.self) == HTTP1ByteClass.carriageReturn
        let contentEnd = hasCarriageReturn ? lineFeed - 1 : lineFeed
        if contentEnd > lineStart {
            // The limits first, in the same order as for a partial line, so the error does
            // not depend on how the bytes were split.
            try checkHeaderLimits(lineLength: lineLength)
        }
        if !hasCarriageReturn {
            guard limits.allowsBareLineFeed else {
                throw HTTP1ParseError(.invalidRequestHeader, detail: HTTP1PrintableExcerpt.make(base, lineStart, lineFeed + 1))
            }
            head.hasBareLineFeeds = true
        }
        if contentEnd == lineStart { return true }

        let field: HTTP1Field
        do {
            field = try HTTP1FieldLineParser.parse(base, lineStart, contentEnd)
        } catch {
            let reason: HTTP1ParseError.Reason = switch error {
            case .invalidLine: .invalidRequestHeader
            case .invalidNameCharacter: .invalidCharactersInHeaderName
            }
            throw HTTP1ParseError(reason, detail: HTTP1PrintableExcerpt.make(base, lineStart, contentEnd))
        }
        headerCount += 1
        headerBytes += lineLength
        head.fields.append(field)
        try summary.record(field, base, into: &head)
        return false
    }

    /// Where the line's content ends: before CRLF, or before a lone LF when those are allowed.
    @inline(__always)
    private func contentEnd(_ base: UnsafeRawPointer, _ lineFeed: Int, _ reason: HTTP1ParseError.Reason) throws(HTTP1ParseError) -> Int {
        if lineFeed > lineStart, base.load(fromByteOffset: lineFeed - 1, as: UInt8.self) == HTTP1ByteClass.carriageReturn {
            return lineFeed - 1
        }
        guard limits.allowsBareLineFeed else {
            throw HTTP1ParseError(reason, detail: HTTP1PrintableExcerpt.make(base, lineStart, lineFeed + 1))
        }
        return lineFeed
    }

    /// The limits, applied to a line whose end has not arrived yet: a request line that is
    /// already `maxRequestLineSize` bytes long will be longer with its LF; a partial header line
    /// (one that cannot still turn out to be the final CRLF) already counts as one more header,
    /// at least one byte longer than what has arrived.
    private func checkPartialLine(_ base: UnsafeRawPointer, _ end: Int) throws(HTTP1ParseError) {
        let partialLength = end - lineStart
        switch stage {
        case .requestLine:
            if partialLength >= limits.maxRequestLineSize {
                throw HTTP1ParseError(.requestLineTooLong, detail: HTTP1PrintableExcerpt.make(base, lineStart, end))
            }
        case .headerLines:
            guard partialLength > 0 else { return }
            if partialLength == 1, base.load(fromByteOffset: lineStart, as: UInt8.self) == HTTP1ByteClass.carriageReturn { return }
            try checkHeaderLimits(lineLength: partialLength + 1)
        default:
            break
        }
    }

    /// One more header line of (at least) `lineLength` bytes: too many, or too many bytes?
    @inline(__always)
    private func checkHeaderLimits(lineLength: Int) throws(HTTP1ParseError) {
        guard headerCount < limits.maxRequestHeaderCount else {
            throw HTTP1ParseError(.tooManyHeaders)
        }
        guard headerBytes + lineLength <= limits.maxRequestHeadersTotalSize else {
            throw HTTP1ParseError(.headersExceedMaxTotalSize)
        }
    }
}
