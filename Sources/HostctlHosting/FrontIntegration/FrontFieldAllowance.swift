/// Room in an app's head limits for the fields the front adds to every request it forwards
/// (X-Forwarded-For, X-Forwarded-Proto, X-Forwarded-Host or a Host of its own, and the pairing
/// token): they are not the client's, so they do not count against the app's limits. The
/// front applies the limits to what the client sent, at the edge, with the statuses a direct
/// server answers; behind it, the app's limits grow by what the front may add.
enum FrontFieldAllowance {
    /// Field lines the front adds at most.
    static let fieldCount = 4
    /// Bytes the front's lines take at most besides the token and a copy of the Host value:
    /// their names, ": ", line ends, the client's address ("[v6]:port"), the scheme, and the
    /// ", " joining them to the client's own lists.
    static let fixedBytes = 200

    /// `options` with room for the front's fields. X-Forwarded-Host repeats Host, which can
    /// be as long as the client's whole head allows, so the size limit doubles.
    static func widened(_ options: ServerOptions, token: String) -> ServerOptions {
        var widened = options
        widened.maxRequestHeaderCount += fieldCount
        widened.maxRequestHeadersTotalSize += options.maxRequestHeadersTotalSize + fixedBytes + token.utf8.count
        if let buffer = widened.maxRequestBufferSize {
            // The buffer must still hold a whole head (the server insists, as Kestrel does).
            widened.maxRequestBufferSize = max(buffer, widened.maxRequestLineSize + widened.maxRequestHeadersTotalSize)
        }
        return widened
    }
}
