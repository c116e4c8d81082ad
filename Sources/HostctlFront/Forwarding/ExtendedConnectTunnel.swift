import HostctlCore
import HostctlHosting

/// An HTTP/2 extended CONNECT whose WebSocket upgrade the app accepted: the client's DATA
/// (the request body) goes to the app's connection and the app's bytes go back as the
/// response's DATA, untouched, both directions at once, until either side ends.
///
/// - The client's END_STREAM ends the request body: what it sent is passed on, then the
///   app's connection closes (as the HTTP/1.1 tunnel does when its client ends), which ends
///   the tunnel.
/// - The app closing its connection ends the response (END_STREAM; the server then resets
///   the client's half with NO_ERROR).
/// - The client's RST_STREAM (or its connection going) aborts the request: the abort signal
///   closes the app's connection and `run` throws.
/// - No byte either way for `idleTimeout` (the front's keep-alive timeout, the HTTP/1.1
///   tunnel's idle limit too) ends it as the app closing would. A graceful stop lets it run
///   until the server's shutdown timeout aborts the stream.
///
/// Backpressure: the client's bytes are read only while no send to the app is unfinished
/// (unread, they hold the stream's window shut, so the client waits); the app's bytes wait
/// in the connection's input, which pauses reading at its limit, while the client's output
/// is over its limit. One task does both, so while it waits for the client to take the
/// app's bytes it does not move the client's: a client that stops reading stops both ways.
struct ExtendedConnectTunnel {
    let context: HTTPContext
    let connection: AppConnection
    /// Loop-monotonic nanoseconds.
    let idleTimeout: Int64

    /// Bytes gathered per send to the app.
    static let sendSize = 64 * 1024

    private var now: Int64 { connection.pool.loop.now }

    func run() async throws {
        guard let writer = context.response.writer else { throw ConnectionAbortedError("The request is over.") }
        // The 200 goes at once: the client sends nothing through the tunnel before it.
        try await writer.flush()
        let body = context.request.body
        var clientEnded = false
        connection.deadline = now + idleTimeout
        // Each turn moves bytes or waits for news; every wait ends with news (bytes, an end,
        // the abort, the idle deadline), so the loop is bounded by what happens.
        while true {
            if connection.clientAborted { throw ConnectionAbortedError("The client closed the connection.") }
            var moved = false

            // App to client.
            if !connection.inbound.isEmpty {
                let input = connection.inbound.readableBytes
                let mustWait = try writer.write(input)
                connection.consume(input.count)
                try await writer.flush()
                if mustWait { try await writer.waitUntilWritable() }
                moved = true
            }

            // Client to app, while no send to the app is unfinished.
            var clientState = RequestBodyAvailability.waiting
            if !clientEnded, let out = connection.outbound, connection.isWritable {
                clientState = .bytes
                while clientState == .bytes, out.readableCount < Self.sendSize {
                    clientState = try body.readAvailable { bytes in
                        let count = min(bytes.count, Self.sendSize - out.readableCount)
                        out.append(UnsafeRawBufferPointer(rebasing: bytes[..<count]))
                        return count
                    }
                }
                if clientState == .end {
                    clientEnded = true
                    connection.closeAfterSending()
                    moved = true
                } else if !out.isEmpty {
                    connection.flush()
                    moved = true
                }
            }

            if moved {
                connection.deadline = now + idleTimeout
                continue
            }
            // Nothing to move: the end of either side, or a wait for the next thing to happen.
            let appEnded = connection.inputEnded || connection.isClosed || connection.failure != nil
            if appEnded, connection.inbound.isEmpty { return }
            if connection.timedOut { return }  // idle past the limit
            if !clientEnded, clientState == .waiting, connection.isWritable {
                // Both sides may speak next: the app's news interrupts the wait for the client's.
                connection.interruptsClientWait = true
                defer { connection.interruptsClientWait = false }
                try await body.waitForData()
            } else {
                // A send to the app is unfinished, or the client has ended: the app's side decides.
                await connection.wait()
            }
        }
    }
}
