import HostctlCore
import HostctlServerCore

/// After a 101: the client's connection and the app's carry bytes both ways, untouched,
/// until either side ends. Each direction stops taking bytes while the other side has not
/// taken the last ones (one send in flight to the app; the client's output at its limit),
/// so a fast sender fills its socket and waits rather than the front's memory. The driver
/// applies the keep-alive timeout as the tunnel's idle limit, and a graceful stop waits for
/// it until the shutdown timeout.
extension HTTP1Relay {
    func pumpTunnel() {
        guard let app else { return }
        // Client to app.
        while let out = app.outbound, app.isWritable {
            let input = client.tunnelInput
            guard !input.isEmpty else { break }
            let count = min(input.count, Self.sendSize - out.readableCount)
            out.append(UnsafeRawBufferPointer(rebasing: input[..<count]))
            client.consumeTunnelInput(count)
            app.flush()
        }
        // App to client, while the client takes it (a send that goes at once leaves room
        // for more; one that does not brings `clientOutputDrained` when it is done).
        while !app.inbound.isEmpty, client.unsentOutput <= client.responseBufferLimit {
            let input = app.inbound.readableBytes
            client.output.append(input)
            app.consume(input.count)
            client.flushOutput()
        }

        // Either side's end ends the tunnel, once what it sent has been passed on.
        let appEnded = app.inputEnded || app.isClosed || app.failure != nil
        if appEnded, app.inbound.isEmpty {
            endTunnel()
        } else if client.clientInputEnded, client.tunnelInput.isEmpty, !app.isClosing, !app.isClosed {
            app.closeAfterSending()
        }
    }

    /// Both connections close: the app's now, the client's once its output is sent.
    private func endTunnel() {
        dropRequest()
        client.closeAfterSending()
    }
}
