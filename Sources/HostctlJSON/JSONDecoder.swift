/// Decodes `Decodable` types from strict JSON (no comments, no trailing commas) without
/// Foundation, with errors that name the offending value's path, so an API can answer
/// 400 with "items[2].name: expected a string, found a number".
///
/// Rules: a key given twice means its last value; a missing key is `.keyNotFound` and
/// `null` for a non-optional is `.valueNotFound`, while optionals (`decodeIfPresent`) take
/// both as `nil`; integers must be whole and in range for the exact type (`1.0` and `1e2`
/// are accepted as integers, `1.5` or `300` for an `Int8` are `.dataCorrupted`); a number
/// too large for a `Float` or `Double` is `.dataCorrupted` rather than infinity.
///
/// Named `HostctlJSON.JSONDecoder`; files that also import Foundation write the module name.
public struct JSONDecoder: Sendable {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(JSONDecodingError) -> T {
        let value: JSONValue
        do {
            value = try JSONReader().read(bytes)
        } catch {
            throw JSONDecodingError(.syntax(error))
        }
        return try decode(type, from: value)
    }

    /// Decodes from a document already read, e.g. by a lenient `JSONReader` for a settings file.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(JSONDecodingError) -> T {
        do {
            return try JSONValueDecoder.decode(type, from: value, path: [])
        } catch {
            throw JSONDecodingError(converting: error)
        }
    }
}
