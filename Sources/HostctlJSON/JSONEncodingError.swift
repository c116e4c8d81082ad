/// Why a value could not be written as JSON, and where in the value.
///
/// `description` reads "values[1]: JSON has no representation for nan." The output buffer
/// is left as it was before the failed `encode` call.
public struct JSONEncodingError: Error, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// A NaN or infinite Float or Double ("nan", "inf", "-inf"): JSON numbers are finite.
        case nonFiniteNumber(String)
        /// The top-level value's `encode(to:)` wrote nothing (names the type). A nested value
        /// that writes nothing becomes `{}`, as with Foundation.
        case noValue(type: String)
        /// A container was used in a way a streaming encoder cannot honour, e.g. a nested
        /// container written to after its parent moved on, or two kinds of container for one value.
        case invalidContainerUse(String)
        /// The value's own `encode(to:)` threw; the message is its error's text.
        case invalidValue(String)
    }

    public let reason: Reason
    /// Keys from the top-level value to the offending one.
    public let codingPath: [any CodingKey]
    /// What the value's `encode(to:)` threw, for `.invalidValue`.
    public let underlyingError: (any Error)?

    public init(_ reason: Reason, codingPath: [any CodingKey] = [], underlyingError: (any Error)? = nil) {
        self.reason = reason
        self.codingPath = codingPath
        self.underlyingError = underlyingError
    }

    /// The coding path as text, e.g. `items[2].name`; empty for the top-level value.
    public var path: String { JSONCodingPath.describe(codingPath) }

    /// The message without the path.
    public var message: String {
        switch reason {
        case .nonFiniteNumber(let text): "JSON has no representation for \(text)."
        case .noValue(let type): "\(type) did not encode any value."
        case .invalidContainerUse(let text): text
        case .invalidValue(let text): text
        }
    }

    public var description: String {
        let path = path
        return path.isEmpty ? message : "\(path): \(message)"
    }
}

extension JSONEncodingError {
    /// Recovers the error from what escaped `encode(to:)`: one of ours travels inside an
    /// `EncodingError` (so user code that catches `EncodingError` still sees one).
    init(converting error: any Error) {
        if let error = error as? JSONEncodingError {
            self = error
        } else if let error = error as? EncodingError, case .invalidValue(_, let context) = error {
            if let own = context.underlyingError as? JSONEncodingError {
                self = own
            } else {
                self.init(.invalidValue(context.debugDescription), codingPath: context.codingPath,
                          underlyingError: context.underlyingError)
            }
        } else {
            self.init(.invalidValue(String(describing: error)), underlyingError: error)
        }
    }

    /// This error wrapped as the standard library's, for throwing through `encode(to:)`.
    func asEncodingError(value: Any) -> EncodingError {
        .invalidValue(value, EncodingError.Context(codingPath: codingPath, debugDescription: message, underlyingError: self))
    }
}
