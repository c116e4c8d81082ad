#if canImport(HostctlCore)
import HostctlCore
#endif

/// What the fields that shape message handling say, gathered line by line while a head is
/// parsed and checked as a whole at its end: Host (RFC 9112 §3.2), Content-Length and
/// Transfer-Encoding (§6), Connection (§9.6) and Expect (RFC 9110 §10.1.1).
///
/// Names are recognised without regard to case, by length first so most fields cost one
/// integer switch.
struct HTTP1FieldSummary: Sendable {
    private var hostCount = 0
    private var contentLength: Int?
    private var hasTransferEncoding = false
    private var lastCodingIsChunked = false

    /// Records `field` if it is one of the fields above; throws as soon as one is invalid.
    mutating func record(_ field: HTTP1Field, _ base: UnsafeRawPointer, into head: inout HTTP1RequestHead) throws(HTTP1ParseError) {
        let name = UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count)
        switch name.count {
        case 4 where ASCII.equalsLowercased(name, "host"):
            hostCount += 1
            if hostCount > 1 { throw error(.multipleHostHeaders, base, field.value) }
            for offset in field.value where !HTTP1ByteClass.isAuthorityCharacter(base.load(fromByteOffset: offset, as: UInt8.self)) {
                throw error(.invalidHostHeader, base, field.value)
            }
            head.host = field.value
        case 6 where ASCII.equalsLowercased(name, "expect"):
            // An HTTP/1.0 client cannot expect a 100 (RFC 9110 §10.1.1: ignore it).
            if head.version == .http1_1, ASCII.equalsLowercased(bytes(base, field.value), "100-continue") {
                head.expectsContinue = true
            }
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
            if contentLength != nil { throw error(.multipleContentLengths, base, field.value) }
            guard let length = Self.decimal(base, field.value) else { throw error(.invalidContentLength, base, field.value) }
            contentLength = length
        case 17 where ASCII.equalsLowercased(name, "transfer-encoding"):
            hasTransferEncoding = true
            // Codings add up across fields; only the last one matters for framing (RFC 9112 §6.3).
            HTTP1ListElements.forEach(base, field.value) { coding in
                lastCodingIsChunked = ASCII.equalsLowercased(coding, "chunked")
            }
        default:
            break
        }
    }

    /// The checks that need the whole head, and the body framing (RFC 9112 §6.3).
    func finish(_ base: UnsafeRawPointer, into head: inout HTTP1RequestHead) throws(HTTP1ParseError) {
        if hostCount == 0, head.version == .http1_1 { throw HTTP1ParseError(.missingHostHeader) }
        if head.targetForm == .absolute, let authority = head.authority, let host = head.host {
            // The target's authority wins over Host, so they must agree (RFC 9112 §3.2.2).
            let scheme = head.target.lowerBound..<(authority.lowerBound - 3)
            guard Self.authority(base, authority, matchesHost: host, scheme: scheme) else {
                throw error(.invalidHostHeader, base, host)
            }
        }
        if hasTransferEncoding {
            guard lastCodingIsChunked else { throw HTTP1ParseError(.finalTransferCodingNotChunked) }
            head.framing = .chunked
            head.hadContentLengthAndTransferEncoding = contentLength != nil
        } else if let contentLength {
            head.framing = .contentLength(contentLength)
        } else {
            head.framing = .none
            if head.version == .http1_0 {
                switch head.method {
                case .post, .put: throw HTTP1ParseError(.lengthRequiredHTTP10, detail: head.method.rawValue)
                default: break
                }
            }
        }
    }

    // MARK: Values

    private func error(_ reason: HTTP1ParseError.Reason, _ base: UnsafeRawPointer, _ range: Range<Int>) -> HTTP1ParseError {
        HTTP1ParseError(reason, detail: HTTP1PrintableExcerpt.make(base, range.lowerBound, range.upperBound))
    }

    @inline(__always)
    private func bytes(_ base: UnsafeRawPointer, _ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// 1*DIGIT (RFC 9112 §6.3: no sign, no list, no spaces inside), nil when it is not or it overflows Int.
    static func decimal(_ base: UnsafeRawPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty else { return nil }
        var value = 0
        for offset in range {
            let digit = base.load(fromByteOffset: offset, as: UInt8.self) &- 0x30
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// Whether an absolute-form authority and the Host value name the same thing, without regard
    /// to case and with the scheme's default port optional on either side (RFC 9110 §4.2.3).
    private static func authority(_ base: UnsafeRawPointer, _ authority: Range<Int>, matchesHost host: Range<Int>, scheme: Range<Int>) -> Bool {
        let schemeBytes = UnsafeRawBufferPointer(start: base + scheme.lowerBound, count: scheme.count)
        let defaultPort: StaticString? =
            ASCII.equalsLowercased(schemeBytes, "http") ? ":80" : ASCII.equalsLowercased(schemeBytes, "https") ? ":443" : nil
        func withoutDefaultPort(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            let whole = UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
            guard let defaultPort else { return whole }
            let suffixCount = defaultPort.utf8CodeUnitCount
            guard whole.count > suffixCount else { return whole }
            let suffix = UnsafeRawBufferPointer(rebasing: whole[(whole.count - suffixCount)...])
            return ASCII.equalsLowercased(suffix, defaultPort) ? UnsafeRawBufferPointer(rebasing: whole[..<(whole.count - suffixCount)]) : whole
        }
        let left = withoutDefaultPort(authority), right = withoutDefaultPort(host)
        guard left.count == right.count else { return false }
        for index in 0..<left.count where ASCII.lowercase(left[index]) != ASCII.lowercase(right[index]) { return false }
        return true
    }
}
