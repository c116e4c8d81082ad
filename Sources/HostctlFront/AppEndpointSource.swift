import HostctlHosting

/// The seam between the front's two halves. The process half (`AppSupervisor`) starts the
/// app on demand, watches it and restarts it; the forwarding half (`Forwarder`) asks it,
/// per request, where the app listens, and tells it when the app stopped answering.
///
/// Each request takes one answer, from `endpointIfRunning()` or else `endpoint()`, at its
/// start, and gives it back with `release(_:)` when it is over (a tunnel after a 101 is over
/// when it closes): a source that replaces a running app (a swap) can tell when no request
/// is still on its way to the old one.
public protocol AppEndpointSource: AnyObject, Sendable {
    /// The running app's address, starting the app first when it is not running. Requests
    /// that arrive while it starts wait here instead of failing. Throws when the app cannot
    /// be had: app_offline.htm present, a failed start, too many rapid failures.
    func endpoint() async throws(FrontUnavailable) -> AppEndpoint

    /// The running app's address without waiting; nil when `endpoint()` would have to wait or
    /// refuse (the forwarding path then calls it). The common case, on every request.
    func endpointIfRunning() -> AppEndpoint?

    /// The forwarding half could not connect to `endpoint`, or lost a connection to it
    /// mid-exchange: the app may have died. The process half checks (its exit is reported
    /// by the process monitor anyway; this only makes it sooner).
    func connectionFailed(_ endpoint: AppEndpoint)

    /// The forwarding half is done with an `endpoint()` or `endpointIfRunning()` answer: its
    /// exchange is over, answered, failed or aborted (a tunnel, once it has closed). Called
    /// once per answer. A run being replaced (a swap) is stopped only once every request
    /// handed its address has been released, so a request on its way to the old run is never
    /// cut off by its stop.
    func release(_ endpoint: AppEndpoint)
}

extension AppEndpointSource {
    /// Sources that never replace a running app need not count.
    public func release(_ endpoint: AppEndpoint) {}

    /// Sources without a way to answer at once make every request ask `endpoint()`.
    public func endpointIfRunning() -> AppEndpoint? { nil }
}

/// Where one run of the app listens, and the token that run expects.
public struct AppEndpoint: Sendable, Equatable {
    /// 127.0.0.1:port.
    public var port: UInt16
    /// Sent as `FrontContract.tokenHeader` on every forwarded request.
    public var token: String
    /// Counts the app's runs: a connection pooled for one run is never used for another.
    public var generation: Int

    public init(port: UInt16, token: String, generation: Int) {
        self.port = port
        self.token = token
        self.generation = generation
    }
}

/// Why the front answers itself instead of the app: the page it sends.
public struct FrontUnavailable: Error, Sendable {
    /// 502 (start failed: exited with code N, killed by signal, did not listen in time),
    /// 503 (app_offline.htm, too many rapid failures), 504 (the app did not answer in time).
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}
