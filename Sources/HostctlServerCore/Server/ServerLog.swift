import HostctlHosting
import HostctlLogging

/// What the server core itself logs, in Kestrel's categories, event ids and words (its
/// `KestrelTrace`), on both servers: they share the core. Everything here is Debug but for a
/// connection refused at the limit (Warning) and what the app did to its own request
/// (Information). An event whose level is off costs one atomic load; its message (and the
/// connection id in it) is built only when some sink wants it.
struct ServerLog: Sendable {
    let connections: Logger
    let badRequests: Logger
    let general: Logger
    /// Errors the app throws (event 13): the server's own category, HTTP.sys's on io_uring.
    let applicationErrors: Logger

    init(_ factory: LoggerFactory, isHTTPSys: Bool) {
        connections = factory.logger(category: ServerLogCategory.kestrelConnections)
        badRequests = factory.logger(category: ServerLogCategory.kestrelBadRequests)
        general = factory.logger(category: ServerLogCategory.kestrel)
        applicationErrors = factory.logger(category: isHTTPSys ? ServerLogCategory.httpSys : ServerLogCategory.kestrel)
    }

    /// An error that escaped the app (as `UnhandledErrorLog` words it), once per request.
    func applicationError(_ error: any Error, context: HTTPContext) {
        UnhandledErrorLog.report(error, context: context, logger: applicationErrors)
    }

    // MARK: Connections

    @inline(__always)
    func accepted(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" accepted.", event: EventID(39, name: "ConnectionAccepted"))
    }

    @inline(__always)
    func stopped(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" stopped.", event: EventID(2, name: "ConnectionStop"))
    }

    @inline(__always)
    func keptAlive(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" completed keep alive response.", event: EventID(9, name: "ConnectionKeepAlive"))
    }

    @inline(__always)
    func disconnecting(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" disconnecting.", event: EventID(10, name: "ConnectionDisconnect"))
    }

    @inline(__always)
    func paused(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" paused.", event: EventID(4, name: "ConnectionPause"))
    }

    @inline(__always)
    func resumed(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" resumed.", event: EventID(5, name: "ConnectionResume"))
    }

    @inline(__always)
    func reset(_ id: UInt64) {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Connection id \"\(ConnectionID.format(id))\" reset.", event: EventID(19, name: "ConnectionReset"))
    }

    @inline(__always)
    func rejectedAtLimit() {
        guard connections.isEnabled(.warning) else { return }
        connections.warning(
            "Connection rejected because the maximum number of concurrent connections has been reached.",
            event: EventID(24, name: "ConnectionRejected")
        )
    }

    @inline(__always)
    func applicationAborted(_ id: UInt64, trace: String) {
        guard connections.isEnabled(.information) else { return }
        connections.information(
            "Connection id \"\(ConnectionID.format(id))\", Request id \"\(trace)\": the application aborted the connection.",
            event: EventID(34, name: "ApplicationAbortedConnection")
        )
    }

    // MARK: Bad requests and slow clients

    @inline(__always)
    func badRequest(_ id: UInt64, _ message: String) {
        guard badRequests.isEnabled(.debug) else { return }
        badRequests.debug("Connection id \"\(ConnectionID.format(id))\" bad request data: \"\(message)\"", event: EventID(17, name: "ConnectionBadRequest"))
    }

    @inline(__always)
    func endedAbnormally(_ id: UInt64) {
        guard badRequests.isEnabled(.debug) else { return }
        badRequests.debug(
            "Connection id \"\(ConnectionID.format(id))\" request processing ended abnormally.", event: EventID(20, name: "RequestProcessingError")
        )
    }

    @inline(__always)
    func requestBodyTooSlow(_ id: UInt64, trace: String, rate: Double) {
        guard badRequests.isEnabled(.debug) else { return }
        badRequests.debug(
            "Connection id \"\(ConnectionID.format(id))\", Request id \"\(trace)\": the request timed out because it was not sent by the client at a minimum of \(Int(rate)) bytes/second.",
            event: EventID(27, name: "RequestBodyMinimumDataRateNotSatisfied")
        )
    }

    @inline(__always)
    func responseTooSlow(_ id: UInt64) {
        guard badRequests.isEnabled(.debug) else { return }
        badRequests.debug(
            "Connection id \"\(ConnectionID.format(id))\": the connection was closed because the response was not read by the client at the specified minimum data rate.",
            event: EventID(28, name: "ResponseMinimumDataRateNotSatisfied")
        )
    }

    // MARK: The request's body and response

    @inline(__always)
    func bodyNotRead(_ id: UInt64, trace: String) {
        guard general.isEnabled(.information) else { return }
        general.information(
            "Connection id \"\(ConnectionID.format(id))\", Request id \"\(trace)\": the application completed without reading the entire request body.",
            event: EventID(32, name: "RequestBodyNotEntirelyRead")
        )
    }

    @inline(__always)
    func drainTimedOut(_ id: UInt64, trace: String) {
        guard general.isEnabled(.information) else { return }
        general.information(
            "Connection id \"\(ConnectionID.format(id))\", Request id \"\(trace)\": automatic draining of the request body timed out after taking over 5 seconds.",
            event: EventID(33, name: "RequestBodyDrainTimedOut")
        )
    }

    @inline(__always)
    func headResponseBodyWrite(_ id: UInt64, count: Int) {
        guard general.isEnabled(.debug) else { return }
        general.debug(
            "Connection id \"\(ConnectionID.format(id))\" write of \"\(count)\" body bytes to non-body HEAD response.",
            event: EventID(18, name: "ConnectionHeadResponseBodyWrite")
        )
    }

    @inline(__always)
    func notClosedGracefully() {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Some connections failed to close gracefully during server shutdown.", event: EventID(16, name: "NotAllConnectionsClosedGracefully"))
    }

    @inline(__always)
    func notAborted() {
        guard connections.isEnabled(.debug) else { return }
        connections.debug("Some connections failed to abort during server shutdown.", event: EventID(21, name: "NotAllConnectionsAborted"))
    }
}
