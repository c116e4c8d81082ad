/// A configuration value could not be bound to the type asked for: which key, what was
/// wanted, what was found, and where it came from.
public struct ConfigurationBindingError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The value's text is not a `expectedType` ("ten" for an Int).
        case conversionFailed(value: String, expectedType: String)
        /// A required value is absent.
        case missingValue(expectedType: String)
        /// A plain value where `expectedType` needs a section (or a list).
        case sectionExpected(value: String, expectedType: String)
        /// The type refused the value itself (an enum without that case, a type's own check).
        case rejected(value: String?, reason: String)
    }

    /// The whole key ("Shop:MaxItems").
    public let key: String
    public let reason: Reason
    /// Where the value came from (nil for a missing one).
    public let origin: ConfigurationOrigin?

    public init(key: String, reason: Reason, origin: ConfigurationOrigin?) {
        self.key = key
        self.reason = reason
        self.origin = origin
    }

    public var message: String {
        switch reason {
        case .conversionFailed(let value, let expectedType):
            "Failed to convert configuration value '\(value)' at '\(key)' to type '\(expectedType)'."
        case .missingValue(let expectedType):
            "The configuration has no value at '\(key)', where a value of type '\(expectedType)' is required."
        case .sectionExpected(let value, let expectedType):
            "The configuration value '\(value)' at '\(key)' cannot be bound to type '\(expectedType)', which needs a section."
        case .rejected(let value?, let reason):
            "The configuration value '\(value)' at '\(key)' is not valid: \(Self.sentence(reason))"
        case .rejected(nil, let reason):
            "The configuration at '\(key)' is not valid: \(Self.sentence(reason))"
        }
    }

    private static func sentence(_ text: String) -> String { text.hasSuffix(".") ? text : text + "." }

    public var description: String {
        guard let origin else { return message }
        let sentence = message.hasSuffix(".") ? message.dropLast() : Substring(message)
        return "\(sentence) (from \(origin))."
    }
}
