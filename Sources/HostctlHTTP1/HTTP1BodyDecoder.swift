#if canImport(Glibc)
import Glibc
#endif

/// Reads a request body framed by Content-Length or the chunked coding (RFC 9112 §6–§7),
/// handing out the body bytes as ranges of the caller's input (no copies), resumable across
/// any split of the input.
///
/// Use: pass the unconsumed input; drop `consumed` bytes from the front; deliver `data`; repeat
/// until `isComplete`. Framing bytes are consumed as they arrive, so a step may consume framing
/// and return no data; but a step returns no data and is not complete only when it has used all
/// the input it can, so then read more from the connection (the next step would consume nothing).
/// A partial trailer line is left unconsumed and must come back at the front of the next input.
///
/// Chunked framing is strict, whatever `HTTP1Limits.allowsBareLineFeed` says: every line ends
/// with CRLF, and extensions may not hide a lone CR or LF (CVE-2025-55315). Readers that
/// disagree about where a chunk ends are how request smuggling works.
public struct HTTP1BodyDecoder: Sendable {
    public struct Step: Sendable, Equatable {
        /// Input bytes used (framing and data); the caller drops them.
        public var consumed: Int
        /// Body bytes found, as a range within the input passed to this call; at most one run
        /// per call, so call again with the rest.
        public var data: Range<Int>?
        /// The whole body (and any trailers) has been read.
        public var isComplete: Bool

        public init(consumed: Int, data: Range<Int>?, isComplete: Bool) {
            self.consumed = consumed
            self.data = data
            self.isComplete = isComplete
        }
    }

    /// chunk-size is at most this many hex digits, leading zeros included.
    static let maximumChunkSizeDigits = 8
    /// The largest chunk accepted, as Kestrel does: a size fits in 31 bits.
    static let maximumChunkSize = 0x7FFF_FFFF
    /// chunk-ext bytes per chunk, so a peer cannot make a chunk line grow without end.
    static let maximumChunkExtensionLength = 4096

    private enum State: Sendable {
        case contentLength
        case chunkSize
        /// SP or HTAB after the size: only BWS before a ';' may follow.
        case chunkSizeWhitespace
        case chunkExtension
        case chunkSizeLineFeed(afterExtension: Bool)
        case chunkData
        case chunkDataCarriageReturn
        case chunkDataLineFeed
        case trailers
        case complete
        case failed(HTTP1ParseError)
    }

    public let limits: HTTP1Limits
    private let isChunked: Bool
    private var state: State
    /// Content-Length bytes still expected; while chunked, the size being read and then the
    /// chunk's bytes still expected.
    private var remaining: Int
    private var chunkSizeDigits = 0
    private var chunkExtensionLength = 0
    private var trailerCount = 0
    private var trailerBytes = 0
    /// Bytes of the pending trailer line already searched for its LF.
    private var trailerLineScanned = 0

    /// Trailer fields of a chunked body, available once `isComplete` (names and values copied
    /// out as Strings, values trimmed).
    public private(set) var trailers: [(name: String, value: String)] = []

    public init(framing: HTTP1BodyFraming, limits: HTTP1Limits = HTTP1Limits()) {
        self.limits = limits
        switch framing {
        case .none:
            isChunked = false
            remaining = 0
            state = .complete
        case .contentLength(let length):
            precondition(length >= 0, "a Content-Length is never negative")
            isChunked = false
            remaining = length
            state = length == 0 ? .complete : .contentLength
        case .chunked:
            isChunked = true
            remaining = 0
            state = .chunkSize
        }
    }

    public var isComplete: Bool {
        if case .complete = state { true } else { false }
    }

    /// Content-Length bodies: bytes still expected; chunked: nil.
    public var remainingContentLength: Int? { isChunked ? nil : remaining }

    /// Decodes what it can from `bytes`: framing up to and including the next run of body bytes.
    /// Returns data == nil and isComplete == false when it needs more input (consumed is then 0,
    /// or the count of framing bytes it used on the way). Throws for invalid framing as soon as
    /// it is detectable; after that it throws the same error again.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Step {
        if case .failed(let error) = state { throw error }
        do {
            return try step(bytes)
        } catch {
            state = .failed(error)
            throw error
        }
    }

    private mutating func step(_ bytes: UnsafeRawBufferPointer) throws(HTTP1ParseError) -> Step {
        let count = bytes.count
        var index = 0
        while true {
            switch state {
            case .complete:
                return Step(consumed: index, data: nil, isComplete: true)
            case .contentLength, .chunkData:
                guard index < count else { return Step(consumed: index, data: nil, isComplete: false) }
                let taken = min(remaining, count - index)
                remaining -= taken
                let data = index..<(index + taken)
                index += taken
                if remaining == 0 { state = isChunked ? .chunkDataCarriageReturn : .complete }
                return Step(consumed: index, data: data, isComplete: isComplete)
            case .trailers:
                guard try trailerLine(bytes, &index) else { return Step(consumed: index, data: nil, isComplete: false) }
            case .failed(let error):
                throw error
            case .chunkSize, .chunkSizeWhitespace, .chunkExtension, .chunkSizeLineFeed, .chunkDataCarriageReturn, .chunkDataLineFeed:
                guard index < count else { return Step(consumed: index, data: nil, isComplete: false) }
                try framingByte(bytes[index])
                index += 1
            }
        }
    }

    /// One byte of a chunk line (`chunk-size [ chunk-ext ] CRLF`) or of the CRLF after chunk data.
    private mutating func framingByte(_ byte: UInt8) throws(HTTP1ParseError) {
        switch state {
        case .chunkSize:
            if let digit = HTTP1ByteClass.hexValue(byte) {
                guard chunkSizeDigits < Self.maximumChunkSizeDigits else { throw HTTP1ParseError(.badChunkSizeData) }
                chunkSizeDigits += 1
                remaining = remaining << 4 | Int(digit)
                guard remaining <= Self.maximumChunkSize else { throw HTTP1ParseError(.badChunkSizeData) }
                return
            }
            guard chunkSizeDigits > 0 else { throw HTTP1ParseError(.badChunkSizeData, detail: HTTP1PrintableExcerpt.make(bytesOf: byte)) }
            switch byte {
            case UInt8(ascii: ";"): state = .chunkExtension
            case HTTP1ByteClass.space, HTTP1ByteClass.tab: state = .chunkSizeWhitespace
            case HTTP1ByteClass.carriageReturn: state = .chunkSizeLineFeed(afterExtension: false)
            default: throw HTTP1ParseError(.badChunkSizeData, detail: HTTP1PrintableExcerpt.make(bytesOf: byte))
            }
        case .chunkSizeWhitespace:
            switch byte {
            case UInt8(ascii: ";"): state = .chunkExtension
            case HTTP1ByteClass.space, HTTP1ByteClass.tab: break
            default: throw HTTP1ParseError(.badChunkSizeData, detail: HTTP1PrintableExcerpt.make(bytesOf: byte))
            }
        case .chunkExtension:
            // Lenient about the extension's grammar, strict about what could end a line early.
            if byte == HTTP1ByteClass.carriageReturn {
                state = .chunkSizeLineFeed(afterExtension: true)
                return
            }
            if byte == HTTP1ByteClass.lineFeed || (byte < 0x20 && byte != HTTP1ByteClass.tab) || byte == 0x7F {
                throw HTTP1ParseError(.badChunkExtension, detail: HTTP1PrintableExcerpt.make(bytesOf: byte))
            }
            chunkExtensionLength += 1
            guard chunkExtensionLength <= Self.maximumChunkExtensionLength else {
                throw HTTP1ParseError(.badChunkExtension)
            }
        case .chunkSizeLineFeed(let afterExtension):
            guard byte == HTTP1ByteClass.lineFeed else {
                throw HTTP1ParseError(afterExtension ? .badChunkExtension : .badChunkSizeData, detail: "\\x0D" + HTTP1PrintableExcerpt.make(bytesOf: byte))
            }
            chunkSizeDigits = 0
            chunkExtensionLength = 0
            if remaining == 0 {
                trailerLineScanned = 0
                state = .trailers
            } else {
                state = .chunkData
            }
        case .chunkDataCarriageReturn:
            guard byte == HTTP1ByteClass.carriageReturn else { throw HTTP1ParseError(.badChunkSuffix, detail: HTTP1PrintableExcerpt.make(bytesOf: byte)) }
            state = .chunkDataLineFeed
        case .chunkDataLineFeed:
            guard byte == HTTP1ByteClass.lineFeed else { throw HTTP1ParseError(.badChunkSuffix, detail: "\\x0D" + HTTP1PrintableExcerpt.make(bytesOf: byte)) }
            remaining = 0
            state = .chunkSize
        default:
            preconditionFailure("not a framing state")
        }
    }

    /// One trailer field line, or the empty line that ends the body (RFC 9112 §7.1.2). Returns
    /// false when the line's LF has not arrived; the line then stays unconsumed.
    private mutating func trailerLine(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) throws(HTTP1ParseError) -> Bool {
        let lineStart = index
        let count = bytes.count
        guard lineStart < count, let base = bytes.baseAddress else { return false }
        let searchFrom = lineStart + min(trailerLineScanned, count - lineStart)
        guard searchFrom < count, let found = memchr(base + searchFrom, Int32(HTTP1ByteClass.lineFeed), count - searchFrom) else {
            trailerLineScanned = count - lineStart
            let partialLength = count - lineStart
            if partialLength > 1 || base.load(fromByteOffset: lineStart, as: UInt8.self) != HTTP1ByteClass.carriageReturn {
                try checkTrailerLimits(lineLength: partialLength + 1)
            }
            return false
        }
        trailerLineScanned = 0
        let lineFeed = UnsafeRawPointer(found) - base
        let lineLength = lineFeed + 1 - lineStart
        let hasCarriageReturn = lineFeed > lineStart && base.load(fromByteOffset: lineFeed - 1, as: UInt8.self) == HTTP1ByteClass.carriageReturn
        let contentEnd = hasCarriageReturn ? lineFeed - 1 : lineFeed
        if contentEnd > lineStart { try checkTrailerLimits(lineLength: lineLength) }
        guard hasCarriageReturn else {
            throw HTTP1ParseError(.invalidTrailer, detail: HTTP1PrintableExcerpt.make(base, lineStart, lineFeed + 1))
        }
        index = lineFeed + 1
        if contentEnd == lineStart {
            state = .complete
            return true
        }
        let field: HTTP1Field
        do {
            field = try HTTP1FieldLineParser.parse(base, lineStart, contentEnd)
        } catch {
            throw HTTP1ParseError(.invalidTrailer, detail: HTTP1PrintableExcerpt.make(base, lineStart, contentEnd))
        }
        trailerCount += 1
        trailerBytes += lineLength
        trailers.append((
            name: String(decoding: UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count), as: UTF8.self),
            value: String(decoding: UnsafeRawBufferPointer(start: base + field.value.lowerBound, count: field.value.count), as: UTF8.self)
        ))
        return true
    }

    /// Trailers share the header limits: one more line of (at least) `lineLength` bytes.
    private func checkTrailerLimits(lineLength: Int) throws(HTTP1ParseError) {
        guard trailerCount < limits.maxRequestHeaderCount, trailerBytes + lineLength <= limits.maxRequestHeadersTotalSize else {
            throw HTTP1ParseError(.trailersTooLarge)
        }
    }
}
