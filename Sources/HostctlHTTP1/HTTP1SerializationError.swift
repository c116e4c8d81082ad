/// Why a head or trailer cannot be written: something the app (or, for a forwarded request,
/// middleware) supplied would break the message's framing (a CR or LF in a value is response
/// or request splitting, RFC 9110 §5.5).
public struct HTTP1SerializationError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// A field name that is empty or not a token (RFC 9110 §5.1).
        case invalidFieldName(String)
        /// A value of the named field holds CR, LF or NUL (RFC 9110 §5.5).
        case invalidFieldValue(name: String)
        /// A status outside 100...999, or a reason phrase holding CR, LF or NUL (RFC 9112 §4).
        case invalidStatus(Int)
        /// A request method that is not a token (RFC 9110 §9.1).
        case invalidMethod(String)
        /// A request-target that is empty or holds a byte other than VCHAR (RFC 9112 §3.2).
        case invalidRequestTarget
    }

    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .invalidFieldName(let name): "Invalid field name '\(name)'"
        case .invalidFieldValue(let name): "Invalid value for field '\(name)': CR, LF and NUL are not allowed"
        case .invalidStatus(let status): "Invalid response status \(status) or reason phrase"
        case .invalidMethod(let method): "Invalid request method '\(method)'"
        case .invalidRequestTarget: "Invalid request target: only visible ASCII is allowed"
        }
    }
}
