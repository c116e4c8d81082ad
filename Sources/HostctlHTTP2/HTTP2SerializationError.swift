/// Why a response head or trailers cannot be written. Nothing is written when one is thrown,
/// so a bad header never reaches the HPACK table or the wire.
public struct HTTP2SerializationError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Not in 100...999, or 1xx with END_STREAM, or 101 (no upgrades in HTTP/2, §8.6).
        case invalidStatus(Int)
        /// A name that is not a token, or a pseudo-header name.
        case invalidFieldName(String)
        /// A value holding CR, LF or NUL.
        case invalidFieldValue(name: String)
    }

    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .invalidStatus(let status): "Invalid HTTP/2 response status \(status)."
        case .invalidFieldName(let name): "Invalid header name '\(name)'."
        case .invalidFieldValue(let name): "Invalid characters in the value of header '\(name)'."
        }
    }
}
