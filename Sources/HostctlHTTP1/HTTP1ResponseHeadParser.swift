#if canImport(Glibc)
import Glibc
#endif
#if canImport(HostctlCore)
import HostctlCore
#endif

/// Finds and parses response heads, the client side of RFC 9112 §4–§6 (the front reading
/// the app's answers).
///
/// Resumable in the same way as `HTTP1RequestHeadParser`: call `parse` each time more bytes
/// arrive, always with the bytes from the head's first byte, and it goes on from the line
/// where it stopped. As strict as the request parser: every line ends in CRLF, and obs-fold,
/// whitespace before a colon, bare CR and NUL are refused, so the front never reads a
/// response differently from a client behind it.
///
/// Interim (1xx) heads are reported as `.interim`: the caller drops `head.length` bytes,
/// calls `reset()` and parses on for the final head.
public struct HTTP1ResponseHeadParser: Sendable {
    public enum Progress: Sendable, Equatable {
        /// No complete head yet.
        case needMore
        /// A complete 1xx head other than 101 (RFC 9110 §15.2); a final head follows.
        case interim
        /// A complete final head (2xx–9xx, or 101).
        case complete
    }

    public var limits: HTTP1ResponseLimits

    private enum Stage: Sendable {
        case idle, statusLine, headerLines
        case done(Progress)
        case failed(HTTP1ResponseParseError)
    }

    private var stage = Stage.idle
    private var lineStart = 0
    private var scanOffset = 0

    public init(limits: HTTP1ResponseLimits = HTTP1ResponseLimits()) {
        self.limits = limits
    }

    /// Forget scan progress, before the next head.
    public mutating func reset() {
        stage = .idle
        lineStart = 0
        scanOffset = 0
    }

    /// Reads as much of a head as `bytes` holds. After `.interim` or `.complete` (or a throw)
    /// it keeps giving the same answer until `reset()`.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into head: inout HTTP1ResponseHead) throws(HTTP1ResponseParseError) -> Progress {
        switch stage {
        case .done(let progress):
            return progress
        case .failed(let error):
            throw error
        case .idle:
            head.prepareForReuse()
            stage = .statusLine
        case .statusLine, .headerLines:
            break
        }
        precondition(bytes.count >= scanOffset, "parse needs the bytes from the head's first byte, never fewer than before")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .needMore }
        do {
            return try scan(base, bytes.count, &head)
        } catch {
            stage = .failed(error)
            throw error
        }
    }

    private mutating func scan(_ base: UnsafeRawPointer, _ end: Int, _ head: inout HTTP1ResponseHead) throws(HTTP1ResponseParseError) -> Progress {
        while true {
            guard scanOffset < end, let found = memchr(base + scanOffset, Int32(HTTP1ByteClass.lineFeed), end - scanOffset) else {
                scanOffset = end
                // The head, once complete, will be at least one byte longer than what is here.
                if end + 1 > limits.maxHeadSize { throw HTTP1ResponseParseError(.headTooLarge) }
                return .needMore
            }
            let lineFeed = UnsafeRawPointer(found) - base
            scanOffset = lineFeed + 1
            guard lineFeed + 1 <= limits.maxHeadSize else { throw HTTP1ResponseParseError(.headTooLarge) }
            guard lineFeed > lineStart, base.load(fromByteOffset: lineFeed - 1, as: UInt8.self) == HTTP1ByteClass.carriageReturn else {
                throw HTTP1ResponseParseError(.bareLineFeed, detail: HTTP1PrintableExcerpt.make(base, lineStart, lineFeed + 1))
            }
            let contentEnd = lineFeed - 1
            if case .statusLine = stage {
                try statusLine(base, lineStart, contentEnd, &head)
                stage = .headerLines
            } else if contentEnd == lineStart {
                head.length = lineFeed + 1
                let progress: Progress = head.isInterim ? .interim : .complete
                stage = .done(progress)
                return progress
            } else {
                try headerLine(base, lineStart, contentEnd, &head)
            }
            lineStart = lineFeed + 1
        }
    }

    /// `HTTP-version SP status-code SP [reason-phrase]` (RFC 9112 §4). A missing SP after the
    /// code is accepted: some servers leave it out when the reason is empty.
    private func statusLine(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ head: inout HTTP1ResponseHead) throws(HTTP1ResponseParseError) {
        func failure(_ reason: HTTP1ResponseParseError.Reason) -> HTTP1ResponseParseError {
            HTTP1ResponseParseError(reason, detail: HTTP1PrintableExcerpt.make(base, start, end))
        }
        let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
        guard let version = Self.version(line) else {
            let startsLikeHTTP = line.count >= 5 && line[0] == UInt8(ascii: "H") && line[1] == UInt8(ascii: "T")
                && line[2] == UInt8(ascii: "T") && line[3] == UInt8(ascii: "P") && line[4] == UInt8(ascii: "/")
            throw failure(startsLikeHTTP ? .unsupportedVersion : .invalidStatusLine)
        }
        guard line.count >= 12, line[8] == HTTP1ByteClass.space else { throw failure(.invalidStatusLine) }
        head.version = version
        var status = 0
        for offset in 9..<12 {
            let digit = line[offset] &- 0x30
            guard digit < 10 else { throw failure(.invalidStatusLine) }
            status = status * 10 + Int(digit)
        }
        guard status >= 100 else { throw failure(.invalidStatusLine) }
        head.status = status
        if line.count == 12 {
            head.reason = end..<end
            return
        }
        guard line[12] == HTTP1ByteClass.space else { throw failure(.invalidStatusLine) }
        // reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ): no other control bytes, no DEL.
        for offset in 13..<line.count {
            let current = line[offset]
            guard current >= 0x80 || current &- 0x20 < 0x5F || current == HTTP1ByteClass.tab else { throw failure(.invalidStatusLine) }
        }
        head.reason = (start + 13)..<end
    }

    /// "HTTP/1.1" or "HTTP/1.0" in the first eight bytes (case-sensitive, RFC 9112 §2.3).
    private static func version(_ line: UnsafeRawBufferPointer) -> HTTPVersion? {
        guard line.count >= 8 else { return nil }
        return HTTP1VersionWord.version(line.loadUnaligned(as: UInt64.self))
    }

    /// One field line; the fields that shape framing and persistence are read as they pass.
    private func headerLine(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, _ head: inout HTTP1ResponseHead) throws(HTTP1ResponseParseError) {
        let field: HTTP1Field
        do {
            field = try HTTP1FieldLineParser.parse(base, start, end)
        } catch {
            let reason: HTTP1ResponseParseError.Reason = switch error {
            case .invalidLine: .invalidField
            case .invalidNameCharacter: .invalidFieldName
            }
            throw HTTP1ResponseParseError(reason, detail: HTTP1PrintableExcerpt.make(base, start, end))
        }
        head.fields.append(field)
        let name = UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count)
        switch name.count {
        case 10 where ASCII.equalsLowercased(name, "connection"):
            HTTP1ListElements.forEach(base, field.value) { element in
                switch element.count {
                case 5 where ASCII.equalsLowercased(element, "close"): head.connectionClose = true
                case 7 where ASCII.equalsLowercased(element, "upgrade"): head.connectionUpgrade = true
                case 10 where ASCII.equalsLowercased(element, "keep-alive"): head.connectionKeepAlive = true
                default: head.connectionNamesFields = true
                }
            }
        case 14 where ASCII.equalsLowercased(name, "content-length"):
            // The same value repeated is one length (RFC 9110 §8.6); different ones are an error.
            guard let length = HTTP1FieldSummary.decimal(base, field.value), head.contentLength == nil || head.contentLength == length else {
                throw HTTP1ResponseParseError(.invalidContentLength, detail: HTTP1PrintableExcerpt.make(base, field.value.lowerBound, field.value.upperBound))
            }
            head.contentLength = length
        case 17 where ASCII.equalsLowercased(name, "transfer-encoding"):
            head.hasTransferEncoding = true
            HTTP1ListElements.forEach(base, field.value) { coding in
                head.isChunked = ASCII.equalsLowercased(coding, "chunked")
            }
        default:
            break
        }
    }
}
