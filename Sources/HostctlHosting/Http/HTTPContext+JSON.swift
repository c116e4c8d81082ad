import HostctlJSON

extension HTTPRequest {
    /// Reads the body (at most `limit` bytes) and decodes it as JSON. A body that is not
    /// JSON of the expected shape throws an `HTTPError` 400 naming where it is wrong
    /// ("items[2].name: expected a string, found a number"), so a handler can let it escape.
    public func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int = 1 << 20) async throws -> T {
        let bytes = try await body.collect(upTo: limit)
        do {
            return try JSONDecoder().decode(type, from: bytes)
        } catch {
            throw HTTPError(400, error.description)
        }
    }
}

extension HTTPResponse {
    /// Writes `value` as JSON with `Content-Type: application/json`.
    public func writeJSON<T: Encodable>(_ value: T, status: Int? = nil) async throws {
        if let status { self.status = status }
        contentType = "application/json; charset=utf-8"
        let bytes: [UInt8]
        do {
            bytes = try JSONEncoder().encode(value)
        } catch {
            throw HTTPError(500, "The response could not be encoded as JSON: \(error)")
        }
        try await write(bytes)
    }
}
