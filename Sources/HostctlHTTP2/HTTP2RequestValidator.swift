#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// Checks a decoded request head or trailer block against RFC 9113 §8.1–§8.3 and the request
/// limits, and fills in the head's pseudo-header ranges. A malformed request is a stream error
/// (the caller resets the stream); too many headers ends the connection, as in Kestrel.
struct HTTP2RequestValidator {
    let limits: HTTP2Limits
    /// "http" or "https" when :scheme must match the connection's; nil accepts either
    /// (Kestrel's AllowAlternateSchemes).
    let transportScheme: StaticString?

    func validate(_ head: HTTP2RequestHead) throws(HTTP2Error) {
        try HTTP2FieldValidation.classes.withUnsafeBufferPointer { (table) throws(HTTP2Error) in
            try validate(head, table)
        }
    }

    private func validate(_ head: HTTP2RequestHead, _ table: UnsafeBufferPointer<UInt8>) throws(HTTP2Error) {
        let list = head.fields
        var sawRegular = false
        var method: Range<Int>?
        var host: Range<Int>?
        var regularCount = 0
        for index in 0..<list.count {
            let field = list.fields[index]
            let name = list.bytes(field.name)
            let value = list.bytes(field.value)
            if name.first == UInt8(ascii: ":") {
                guard !sawRegular else { throw HTTP2Error(.pseudoHeaderAfterRegularHeaders) }
                head._regularFieldsStart = index + 1
                switch name.count {
                case 5 where HTTP2FieldValidation.equals(name, ":path"):
                    guard head.target == nil else { throw HTTP2Error(.duplicatePseudoHeader) }
                    guard HTTP2FieldValidation.all(value, HTTP2FieldValidation.pathCharacter, table) else { throw HTTP2Error(.pathInvalid) }
                    head._target = field.value
                case 7 where HTTP2FieldValidation.equals(name, ":method"):
                    guard method == nil else { throw HTTP2Error(.duplicatePseudoHeader) }
                    // A token (RFC 9110 §9.1), any case.
                    guard HTTP2FieldValidation.all(value, HTTP2FieldValidation.nameCharacter | HTTP2FieldValidation.uppercase, table) else {
                        throw HTTP2Error(.methodInvalid)
                    }
                    method = field.value
                case 7 where HTTP2FieldValidation.equals(name, ":scheme"):
                    guard head.scheme == nil else { throw HTTP2Error(.duplicatePseudoHeader) }
                    guard HTTP2FieldValidation.all(value, HTTP2FieldValidation.schemeCharacter, table) else { throw HTTP2Error(.schemeInvalid) }
                    head._scheme = field.value
                case 7 where HTTP2FieldValidation.equals(name, ":status"):
                    throw HTTP2Error(.responsePseudoHeader)
                case 10 where HTTP2FieldValidation.equals(name, ":authority"):
                    guard head.authority == nil else { throw HTTP2Error(.duplicatePseudoHeader) }
                    guard value.isEmpty || HTTP2FieldValidation.all(value, HTTP2FieldValidation.authorityCharacter, table) else {
                        throw HTTP2Error(.authorityInvalid)
                    }
                    head._authority = field.value
                case 9 where limits.enableExtendedConnect && HTTP2FieldValidation.equals(name, ":protocol"):
                    // RFC 8441 §4, only once SETTINGS_ENABLE_CONNECT_PROTOCOL was announced; a token.
                    guard head.connectProtocol == nil else { throw HTTP2Error(.duplicatePseudoHeader) }
                    guard !value.isEmpty, HTTP2FieldValidation.all(value, HTTP2FieldValidation.nameCharacter | HTTP2FieldValidation.uppercase, table) else {
                        throw HTTP2Error(.headerValueInvalid)
                    }
                    head._connectProtocol = field.value
                default:
                    // :protocol too while SETTINGS_ENABLE_CONNECT_PROTOCOL is not announced.
                    throw HTTP2Error(.unknownPseudoHeader)
                }
                continue
            }
            sawRegular = true
            regularCount += 1
            guard regularCount <= limits.maxRequestHeaderCount else { throw HTTP2Error(.tooManyHeaders) }
            try HTTP2FieldValidation.checkName(name, table)
            try HTTP2FieldValidation.checkValue(value, table)
            switch HTTP2FieldValidation.kind(of: name) {
            case .ordinary:
                break
            case .connectionSpecific:
                throw HTTP2Error(.connectionSpecificHeader)
            case .te:
                guard HTTP2FieldValidation.equals(value, "trailers") else { throw HTTP2Error(.teNotTrailers) }
            case .contentLength:
                guard head.contentLength == nil, let length = HTTP2FieldValidation.parseContentLength(value) else {
                    throw HTTP2Error(.contentLengthInvalid)
                }
                head._contentLength = length
            case .host:
                guard host == nil else { throw HTTP2Error(.authorityInvalid) }
                guard HTTP2FieldValidation.all(value, HTTP2FieldValidation.authorityCharacter, table) else { throw HTTP2Error(.authorityInvalid) }
                host = field.value
                head._hasHostField = true
            }
        }
        if !sawRegular { head._regularFieldsStart = list.count }

        guard let method else { throw HTTP2Error(.missingMandatoryPseudoHeaders) }
        head._methodRange = method
        head._method = HTTPMethod(bytes: list.bytes(method))
        if head.method == .connect && head.connectProtocol == nil {
            // RFC 9113 §8.5: :authority only.
            guard head.scheme == nil && head.target == nil else { throw HTTP2Error(.connectMustNotSendSchemeOrPath) }
            guard let authority = head.authority, !authority.isEmpty else { throw HTTP2Error(.connectNeedsAuthority) }
        } else {
            if head.connectProtocol != nil {
                // RFC 8441 §4: :protocol only on CONNECT, which then names :scheme, :path and
                // :authority (the Host field does not stand in for it).
                guard head.method == .connect else { throw HTTP2Error(.protocolWithoutConnect) }
                guard head.scheme != nil, head.target != nil, let authority = head.authority, !authority.isEmpty else {
                    throw HTTP2Error(.extendedConnectNeedsSchemePathAndAuthority)
                }
            }
            guard let scheme = head.scheme, let target = head.target else { throw HTTP2Error(.missingMandatoryPseudoHeaders) }
            let targetBytes = list.bytes(target)
            let isAsterisk = targetBytes.count == 1 && targetBytes[0] == UInt8(ascii: "*")
            guard targetBytes.first == UInt8(ascii: "/") || (isAsterisk && head.method == .options) else { throw HTTP2Error(.pathInvalid) }
            if let transportScheme, !HTTP2FieldValidation.equals(list.bytes(scheme), transportScheme) {
                throw HTTP2Error(.schemeMismatch(transportScheme: transportScheme.description))
            }
            if let question = targetBytes.firstIndex(of: UInt8(ascii: "?")) {
                head._path = target.lowerBound..<(target.lowerBound + question)
                head._query = (target.lowerBound + question + 1)..<target.upperBound
            } else {
                head._path = target
            }
        }
        // Host must name what :authority names (§8.3.1); without :authority it stands in.
        if let host {
            if let authority = head.authority {
                guard HTTP2FieldValidation.equalIgnoringCase(list.bytes(authority), list.bytes(host)) else { throw HTTP2Error(.authorityInvalid) }
            } else {
                head._authority = host
            }
        }
        let requestLine = method.count + (head.scheme?.count ?? 0) + (head.authority?.count ?? 0) + (head.target?.count ?? 0)
            + (head.connectProtocol?.count ?? 0)
        guard requestLine <= limits.maxRequestLineSize else { throw HTTP2Error(.requestLineTooLong) }
    }

    /// Trailers (§8.1): regular fields only, under the same rules and count limit.
    func validateTrailers(_ list: HPACKHeaderList) throws(HTTP2Error) {
        try HTTP2FieldValidation.classes.withUnsafeBufferPointer { (table) throws(HTTP2Error) in
            guard list.count <= limits.maxRequestHeaderCount else { throw HTTP2Error(.tooManyHeaders) }
            for index in 0..<list.count {
                let name = list.name(at: index)
                if name.first == UInt8(ascii: ":") { throw HTTP2Error(.trailersContainPseudoHeader) }
                try HTTP2FieldValidation.checkName(name, table)
                try HTTP2FieldValidation.checkValue(list.value(at: index), table)
                if HTTP2FieldValidation.kind(of: name) == .connectionSpecific { throw HTTP2Error(.connectionSpecificHeader) }
            }
        }
    }
}
