import HostctlCore
import HostctlHTTP1
import HostctlServerCore

extension HTTP1Relay {
    /// Moves the client's body bytes to the app until a send is left unfinished (the app's
    /// socket is full: its `sendCompleted` brings the next look), the client has nothing more
    /// for now (its next bytes do), or the body is done. Decoded by the driver under the
    /// server's limits; chunk-framed again when the client chunked it.
    func sendRequestBody() {
        guard let app else { return }
        var sent = false
        while !requestSent, let out = app.outbound, app.isWritable {
            var read = HTTP1ForwardedBodyRead.bytes(0)
            while out.readableCount < Self.sendSize {
                let chunked = chunkedUpload
                read = client.readRequestBody { bytes in
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[..<min(bytes.count, Self.sendSize - out.readableCount)])
                    if chunked { HTTP1ResponseWriter.writeChunk(into: out, piece) } else { out.append(piece) }
                    return piece.count
                }
                guard case .bytes = read else { break }
            }
            switch read {
            case .rejected:
                // Too large, malformed, cut short: the server has answered the client.
                return dropRequest()
            case .end:
                if chunkedUpload { try? HTTP1ResponseWriter.writeLastChunk(into: out, trailers: forwardedTrailers()) }
                requestSent = true
            case .waiting:
                // While the client waits for a 100, its silence is not a slow body.
                if !awaitsContinue { client.waitingForRequestBody() }
            case .bytes:
                break
            }
            if !out.isEmpty {
                app.flush()
                sent = true
            }
            if case .waiting = read { break }
        }
        // An upload in progress is the app reading, not the app being slow to answer.
        if sent, responseBody == nil, phase == .exchanging { app.deadline = loop.now + requestTimeout }
    }

    /// The client's trailers, minus hop-by-hop fields.
    private func forwardedTrailers() -> HTTPFields {
        var trailers = HTTPFields()
        for (name, value) in client.requestTrailers where !HopByHopFields.contains(name) {
            trailers.append(name: name, value: value)
        }
        return trailers
    }
}
