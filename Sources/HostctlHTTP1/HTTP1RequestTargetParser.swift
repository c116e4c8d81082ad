#if canImport(Glibc)
import Glibc
#endif
#if canImport(HostctlCore)
import HostctlCore
#endif

/// Classifies a request-target into one of the four forms of RFC 9112 §3.2 and checks that
/// the method fits the form.
///
/// The bytes were already limited to VCHAR (0x21–0x7E) by the request line parser: NUL,
/// control bytes, SP and bytes ≥ 0x80 are refused outright. That is stricter than Kestrel,
/// which lets control bytes other than NUL through in the target; no valid URI has them.
enum HTTP1RequestTargetParser {
    struct Parts: Equatable {
        var form: HTTP1TargetForm
        var path: Range<Int>
        var query: Range<Int>?
        var authority: Range<Int>?
    }

    static func parse(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, method: HTTPMethod) throws(HTTP1ParseError) -> Parts {
        let isConnect = if case .connect = method { true } else { false }
        let first = base.load(fromByteOffset: start, as: UInt8.self)
        func invalid() -> HTTP1ParseError {
            HTTP1ParseError(.invalidRequestTarget, detail: HTTP1PrintableExcerpt.make(base, start, end))
        }

        if first == UInt8(ascii: "/") {
            // origin-form (§3.2.1); CONNECT needs authority-form (§3.2.3).
            if isConnect { throw invalid() }
            return splitPathAndQuery(base, start, end, authority: nil)
        }
        if first == UInt8(ascii: "*") {
            // asterisk-form (§3.2.4): exactly "*", only for OPTIONS.
            guard end - start == 1, !isConnect else { throw invalid() }
            guard case .options = method else { throw HTTP1ParseError(.optionsMethodRequired, detail: "*") }
            return Parts(form: .asterisk, path: start..<start, query: nil, authority: nil)
        }
        if let parts = try absoluteForm(base, start, end) {
            if isConnect { throw invalid() }
            return parts
        }
        if let authority = authorityForm(base, start, end) {
            guard isConnect else {
                throw HTTP1ParseError(.connectMethodRequired, detail: HTTP1PrintableExcerpt.make(base, start, end))
            }
            return Parts(form: .authority, path: start..<start, query: nil, authority: authority)
        }
        throw invalid()
    }

    /// `path [ "?" query ]`, from `start` (where the path begins) to `end`.
    private static func splitPathAndQuery(_ base: UnsafeRawPointer, _ start: Int, _ end: Int, authority: Range<Int>?) -> Parts {
        guard start < end, let mark = memchr(base + start, Int32(UInt8(ascii: "?")), end - start) else {
            return Parts(form: authority == nil ? .origin : .absolute, path: start..<end, query: nil, authority: authority)
        }
        let index = UnsafeRawPointer(mark) - base
        let query = (index + 1)..<end
        return Parts(form: authority == nil ? .origin : .absolute, path: start..<index, query: query, authority: authority)
    }

    /// absolute-form (§3.2.2): `scheme "://" authority path-abempty [ "?" query ]`. Returns nil
    /// when the target does not start with `scheme://`; throws when it does but the authority
    /// is empty or holds bytes an authority cannot (userinfo with '@' included, RFC 9110 §4.2.4).
    private static func absoluteForm(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) throws(HTTP1ParseError) -> Parts? {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        guard HTTP1ByteClass.isLetter(byte(start)) else { return nil }
        var index = start + 1
        while index < end, HTTP1ByteClass.isSchemeCharacter(byte(index)) { index &+= 1 }
        guard end - index >= 3, byte(index) == HTTP1ByteClass.colon,
              byte(index + 1) == UInt8(ascii: "/"), byte(index + 2) == UInt8(ascii: "/")
        else { return nil }
        index += 3
        let authorityStart = index
        while index < end {
            let current = byte(index)
            if current == UInt8(ascii: "/") || current == UInt8(ascii: "?") { break }
            guard HTTP1ByteClass.isAuthorityCharacter(current) else {
                throw HTTP1ParseError(.invalidRequestTarget, detail: HTTP1PrintableExcerpt.make(base, start, end))
            }
            index &+= 1
        }
        guard index > authorityStart else {
            throw HTTP1ParseError(.invalidRequestTarget, detail: HTTP1PrintableExcerpt.make(base, start, end))
        }
        return splitPathAndQuery(base, index, end, authority: authorityStart..<index)
    }

    /// authority-form (§3.2.3): `uri-host ":" port`, the port required and all digits; the host
    /// a reg-name/IPv4 address or a bracketed IP-literal. nil when the target is not that.
    private static func authorityForm(_ base: UnsafeRawPointer, _ start: Int, _ end: Int) -> Range<Int>? {
        @inline(__always) func byte(_ offset: Int) -> UInt8 { base.load(fromByteOffset: offset, as: UInt8.self) }
        var index = start
        if byte(start) == UInt8(ascii: "[") {
            index += 1
            while index < end, byte(index) != UInt8(ascii: "]") {
                let current = byte(index)
                guard HTTP1ByteClass.isAuthorityCharacter(current), current != UInt8(ascii: "[") else { return nil }
                index &+= 1
            }
            guard index < end, index > start + 1 else { return nil }
            index += 1
        } else {
            while index < end, byte(index) != HTTP1ByteClass.colon {
                let current = byte(index)
                guard HTTP1ByteClass.isAuthorityCharacter(current), current != UInt8(ascii: "["), current != UInt8(ascii: "]") else { return nil }
                index &+= 1
            }
        }
        guard index > start, index < end - 1, byte(index) == HTTP1ByteClass.colon else { return nil }
        for offset in (index + 1)..<end where !HTTP1ByteClass.isDigit(byte(offset)) { return nil }
        return start..<end
    }
}
