/// A TLS alert description (RFC 8446 §6), as sent or received: logs name it.
public struct TLSAlert: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let closeNotify = TLSAlert(rawValue: 0)
    public static let unexpectedMessage = TLSAlert(rawValue: 10)
    public static let badRecordMAC = TLSAlert(rawValue: 20)
    public static let recordOverflow = TLSAlert(rawValue: 22)
    public static let handshakeFailure = TLSAlert(rawValue: 40)
    public static let badCertificate = TLSAlert(rawValue: 42)
    public static let certificateUnknown = TLSAlert(rawValue: 46)
    public static let illegalParameter = TLSAlert(rawValue: 47)
    public static let unknownCA = TLSAlert(rawValue: 48)
    public static let decodeError = TLSAlert(rawValue: 50)
    public static let decryptError = TLSAlert(rawValue: 51)
    public static let protocolVersion = TLSAlert(rawValue: 70)
    public static let insufficientSecurity = TLSAlert(rawValue: 71)
    public static let internalError = TLSAlert(rawValue: 80)
    public static let userCanceled = TLSAlert(rawValue: 90)
    public static let noRenegotiation = TLSAlert(rawValue: 100)
    public static let missingExtension = TLSAlert(rawValue: 109)
    public static let unrecognizedName = TLSAlert(rawValue: 112)
    public static let certificateRequired = TLSAlert(rawValue: 116)
    public static let noApplicationProtocol = TLSAlert(rawValue: 120)

    public var description: String {
        switch rawValue {
        case 0: "close_notify"
        case 10: "unexpected_message"
        case 20: "bad_record_mac"
        case 22: "record_overflow"
        case 40: "handshake_failure"
        case 42: "bad_certificate"
        case 43: "unsupported_certificate"
        case 44: "certificate_revoked"
        case 45: "certificate_expired"
        case 46: "certificate_unknown"
        case 47: "illegal_parameter"
        case 48: "unknown_ca"
        case 49: "access_denied"
        case 50: "decode_error"
        case 51: "decrypt_error"
        case 70: "protocol_version"
        case 71: "insufficient_security"
        case 80: "internal_error"
        case 86: "inappropriate_fallback"
        case 90: "user_canceled"
        case 100: "no_renegotiation"
        case 109: "missing_extension"
        case 110: "unsupported_extension"
        case 112: "unrecognized_name"
        case 113: "bad_certificate_status_response"
        case 115: "unknown_psk_identity"
        case 116: "certificate_required"
        case 120: "no_application_protocol"
        default: "alert \(rawValue)"
        }
    }
}
