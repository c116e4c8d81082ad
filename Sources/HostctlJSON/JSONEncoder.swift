/// Encodes `Encodable` values as JSON bytes without Foundation, writing straight into the
/// output as the value encodes (no intermediate tree), so small responses cost little.
///
/// Output: object members in the order `encode(to:)` writes them (`sortedKeys` sorts them
/// by UTF-8 bytes); `nil` optionals omitted by `encodeIfPresent` (synthesized conformances)
/// and `null` where encoded explicitly; integral floating-point values without a fraction
/// (`1.0` is written `1`, others shortest round-trip, e.g. `0.1`, `1e+20`), as Foundation;
/// strings with `"`, `\` and control characters escaped and everything else as UTF-8.
/// Differences from Foundation's encoder: `/` is not escaped; a key written twice to one
/// object appears twice; a nested container must be filled before its parent is written
/// to again (otherwise `.invalidContainerUse`).
///
/// Named `HostctlJSON.JSONEncoder`; files that also import Foundation write the module name.
///
/// ```swift
/// var buffer: [UInt8] = []
/// try JSONEncoder().encode(Message(message: "Hello, World!"), into: &buffer)
/// // {"message":"Hello, World!"}
/// ```
public struct JSONEncoder: Sendable {
    /// Two-space indentation, `"key": value`, one member or element per line; empty
    /// objects and arrays stay `{}` and `[]`. No trailing newline.
    public var prettyPrinted = false
    /// Object members in order of their keys' UTF-8 bytes, for stable output (tests, hashes).
    public var sortedKeys = false

    public init() {}

    public func encode<T: Encodable>(_ value: T) throws(JSONEncodingError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(value, into: &output)
        return output
    }

    /// Appends the JSON for `value` to `output`, so a server can reuse one buffer. On
    /// failure `output` is left as it was.
    public func encode<T: Encodable>(_ value: T, into output: inout [UInt8]) throws(JSONEncodingError) {
        let state = JSONEncodingState(prettyPrinted: prettyPrinted, sortedKeys: sortedKeys)
        let start = output.count
        swap(&output, &state.output)  // write in place, without copying the buffer
        var failure: JSONEncodingError?
        do {
            try state.encodeRoot(value)
            failure = state.failure
        } catch {
            failure = state.failure ?? JSONEncodingError(converting: error)
        }
        swap(&output, &state.output)
        if let failure {
            output.removeSubrange(start...)
            throw failure
        }
    }
}
