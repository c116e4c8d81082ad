import HostctlCore

/// A response recorded by `ApplicationBuilder.respond(to:_:)` (in the `Hostctl` module): what an
/// HTTP client would get, minus the Date and Server fields the server adds.
public struct RecordedResponse: Sendable {
    public var status: Int
    public var headers: HTTPFields
    public var body: [UInt8]
    public var trailers: HTTPFields

    public init(status: Int, headers: HTTPFields, body: [UInt8], trailers: HTTPFields) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}
