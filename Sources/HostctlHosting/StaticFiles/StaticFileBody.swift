/// Where a served file's bytes come from: an open descriptor (sent without copying where
/// the server can), or the small-file cache's copy.
enum StaticFileBody {
    case descriptor(Int32)
    case memory([UInt8])

    /// Sends `count` bytes from `offset` as the response's next body bytes.
    func send(offset: Int64, count: Int64, to response: HTTPResponse) async throws {
        switch self {
        case .descriptor(let descriptor):
            try await response.sendFile(descriptor, offset: offset, count: count)
        case .memory(let content):
            // The length is set: the head goes into the output now, and the bytes are
            // copied once, behind it, instead of into the body buffer first.
            try response.start()
            try await response.write(content[Int(offset)..<Int(offset + count)])
        }
    }
}
