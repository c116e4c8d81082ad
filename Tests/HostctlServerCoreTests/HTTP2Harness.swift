import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import HostctlTestSupport

/// An HTTP/2 connection on a core, fed by hand: the client's frames go in as a transport
/// would deliver them, what the server sends is parsed back into frames and responses, and
/// time moves only when the test moves it.
final class HTTP2Harness {
    let loop = ManualLoop()
    let transport: MemoryTransport
    let core: HTTPServerCore
    let session = HTTP2ClientSession()
    /// The transport's handler: HTTP/2's driver once the protocol is settled.
    var handler: ServedConnection { transport.handler as! ServedConnection }
    var connection: HTTP2Connection { transport.handler as! HTTP2Connection }

    /// `endpoint`: the protocols and TLS facts the connection is accepted with.
    init(
        protocols: HTTPProtocols = .http2, tls: TLSConnectionInfo? = nil, options: (inout ServerOptions) -> Void = { _ in },
        httpSysExtras: Bool = false, handler: @escaping RequestHandler
    ) {
        var serverOptions = ServerOptions()
        options(&serverOptions)
        core = HTTPServerCore(
            application: HTTPApplication(environmentName: "Production", handle: handler), options: serverOptions, loopCount: 1,
            appliesHTTPSysExtras: httpSysExtras
        )
        transport = MemoryTransport(loop: loop)
        transport.tls = tls
        let acceptor = core.acceptor(for: HTTPEndpointOptions(protocols: protocols))
        let accepted = acceptor.accept(transport, on: loop) as! ServedConnection
        retained = accepted
        transport.handler = accepted
        loop.runUntilIdle()
        collect()
    }

    /// The handler the test holds (the transport holds it only weakly).
    private var retained: ServedConnection?

    /// The client preface and SETTINGS, then the ACK of the server's.
    func start(settings: [(UInt16, UInt32)] = []) {
        feed(HTTP2TestFrame.preface + HTTP2TestFrame.settings(settings).bytes + HTTP2TestFrame.settingsAck.bytes)
    }

    /// Delivers bytes as a readiness transport would and runs the loop; what the server sent
    /// is parsed. False when the handler stopped reading first.
    @discardableResult
    func feed(_ bytes: [UInt8]) -> Bool {
        var rest = bytes[...]
        while !rest.isEmpty {
            let current = handler
            guard let buffer = current.receiveBuffer() else { return false }
            let count = min(rest.count, buffer.writableCount)
            buffer.writableBytes.copyBytes(from: rest.prefix(count))
            buffer.didWrite(count)
            rest = rest.dropFirst(count)
            current.didReceive(count)
            // A hand-over replaced the handler: keep the new one alive here too.
            retained = transport.handler as? ServedConnection
        }
        loop.runUntilIdle()
        collect()
        return true
    }

    func feed(_ frames: HTTP2TestFrame...) { feed(frames.flatMap(\.bytes)) }

    /// Parses what the server sent since the last call.
    @discardableResult
    func collect() -> [HTTP2TestFrame] {
        let sent = transport.sent
        transport.sent.removeAll()
        return session.receive(sent)
    }

    /// Runs the loop until `condition` holds (work resumed from other threads included);
    /// false after `seconds`.
    @discardableResult
    func runUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        waitUntil(seconds: seconds) {
            loop.runUntilIdle()
            collect()
            return condition()
        }
    }

    func heartbeat(after seconds: Double) {
        loop.advance(seconds: seconds)
        core.heartbeat(on: loop)
        loop.runUntilIdle()
        collect()
    }

    /// Ends the connection (its tasks finish), so nothing is left running after the test.
    func finish() {
        handler.abort(reason: "The test is over.")
        loop.runUntilIdle()
        retained = nil
    }
}
