/// Why a document could not be decoded into a type, and where in the document.
///
/// `description` is ready for an API's 400 response: "items[2].name: expected a string,
/// found a number." The path points at the offending value; for a missing key it ends
/// with that key.
public struct JSONDecodingError: Error, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The bytes are not (strict) JSON.
        case syntax(JSONSyntaxError)
        /// e.g. expected "a string", found "a number" (the `JSONValue.kindDescription` words).
        case typeMismatch(expected: String, found: String)
        /// A required member is absent; the key is also the last path component.
        case keyNotFound(String)
        /// `null` where a non-optional value was required.
        case valueNotFound(expected: String)
        /// The value has the right kind but not an acceptable content: a number out of range,
        /// an unknown enum case, an array too short, or an error thrown by `init(from:)`.
        case dataCorrupted(String)
    }

    public let reason: Reason
    /// Keys from the document root to the offending value.
    public let codingPath: [any CodingKey]
    /// What a type's own `init(from:)` threw, when that is the cause.
    public let underlyingError: (any Error)?

    public init(_ reason: Reason, codingPath: [any CodingKey] = [], underlyingError: (any Error)? = nil) {
        self.reason = reason
        self.codingPath = codingPath
        self.underlyingError = underlyingError
    }

    /// The coding path as text, e.g. `items[2].name`; empty for the document root.
    public var path: String { JSONCodingPath.describe(codingPath) }

    /// The message without the path.
    public var message: String {
        switch reason {
        case .syntax(let error): error.description
        case .typeMismatch(let expected, let found): "expected \(expected), found \(found)"
        case .keyNotFound: "missing required key"
        case .valueNotFound(let expected): "expected \(expected), found null"
        case .dataCorrupted(let text): text
        }
    }

    public var description: String {
        let path = path
        return path.isEmpty ? message : "\(path): \(message)"
    }
}

extension JSONDecodingError {
    /// Recovers the error from what escaped `init(from:)`. Ours travel inside a
    /// `DecodingError` (so user code that catches `DecodingError` still works); other
    /// `DecodingError`s come from user code or the standard library (e.g. an unknown raw value).
    init(converting error: any Error) {
        if let error = error as? JSONDecodingError {
            self = error
            return
        }
        guard let decodingError = error as? DecodingError else {
            self.init(.dataCorrupted(String(describing: error)), underlyingError: error)
            return
        }
        switch decodingError {
        case .keyNotFound(let key, let context):
            if let own = context.underlyingError as? JSONDecodingError { self = own; return }
            self.init(.keyNotFound(key.stringValue), codingPath: context.codingPath + [key], underlyingError: context.underlyingError)
        case .valueNotFound(let type, let context):
            if let own = context.underlyingError as? JSONDecodingError { self = own; return }
            self.init(.valueNotFound(expected: String(describing: type)), codingPath: context.codingPath,
                      underlyingError: context.underlyingError)
        case .typeMismatch(_, let context), .dataCorrupted(let context):
            if let own = context.underlyingError as? JSONDecodingError { self = own; return }
            self.init(.dataCorrupted(context.debugDescription), codingPath: context.codingPath,
                      underlyingError: context.underlyingError)
        @unknown default:
            self.init(.dataCorrupted(String(describing: error)), underlyingError: error)
        }
    }

    /// This error wrapped as the standard library's, for throwing through `init(from:)`.
    func asDecodingError() -> DecodingError {
        let context = DecodingError.Context(codingPath: codingPath, debugDescription: message, underlyingError: self)
        switch reason {
        case .keyNotFound(let key):
            let parent = DecodingError.Context(codingPath: Array(codingPath.dropLast()), debugDescription: message, underlyingError: self)
            return .keyNotFound(codingPath.last ?? JSONKey(stringValue: key), parent)
        case .valueNotFound: return .valueNotFound(Any.self, context)
        case .typeMismatch: return .typeMismatch(Any.self, context)
        case .syntax, .dataCorrupted: return .dataCorrupted(context)
        }
    }
}
