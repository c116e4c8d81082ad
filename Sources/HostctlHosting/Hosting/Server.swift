import HostctlLogging
import HostctlSystem

/// A server: something that listens, turns connections into `HTTPContext`s and runs the
/// app's pipeline for each. The event-loop and io_uring servers implement it, and so
/// can an app that brings its own transport.
///
/// ```swift
/// final class InMemoryServer: Server {
///     let addresses = ServerAddresses()
///     var application: HTTPApplication?
///     func start(_ application: HTTPApplication) async throws { self.application = application }
///     func stop(timeout: Duration) async {}
///     func send(_ context: HTTPContext) async throws { try await application?.handle(context) }
/// }
/// ```
public protocol Server: AnyObject, Sendable {
    /// The addresses the server really listens on, once started (server-addresses feature).
    var addresses: ServerAddresses { get }
    /// Binds its addresses and starts serving `application`; returns once it listens.
    /// Throws `ServerStartError` when an address cannot be used.
    func start(_ application: HTTPApplication) async throws
    /// Stops accepting, lets requests in flight finish for up to `timeout`, then aborts
    /// the rest; returns when every connection is closed.
    func stop(timeout: Duration) async
}

/// What a server runs: the built pipeline and what it needs to know about the app.
public struct HTTPApplication: Sendable {
    /// The pipeline in one closure, for a server that brings its own transport.
    public let handle: RequestHandler
    /// The same pipeline with its first layer apart: what hostctl's servers run, calling
    /// that layer in line (see `PipelineEntry`).
    public let entry: PipelineEntry
    public let environmentName: String
    /// Checks every request meets before anything answers it (see `RequestAdmissionCheck`).
    public let admissionChecks: [any RequestAdmissionCheck]
    /// The app's loggers, for what the server itself logs (rejected requests and connection
    /// events at Debug, in Kestrel's categories: see `ServerLogCategory`).
    public let loggerFactory: LoggerFactory
    /// Logs each request the app runs: a server calls `begin` before `handle` and `end` once
    /// the request is over (its status final), in line rather than as a pipeline layer.
    public let requestLog: HTTPRequestLog?

    public init(
        environmentName: String, admissionChecks: [any RequestAdmissionCheck] = [], loggerFactory: LoggerFactory = .disabled(),
        requestLog: HTTPRequestLog? = nil, handle: @escaping RequestHandler
    ) {
        self.init(
            environmentName: environmentName, admissionChecks: admissionChecks, loggerFactory: loggerFactory, requestLog: requestLog,
            entry: PipelineEntry(handle)
        )
    }

    public init(
        environmentName: String, admissionChecks: [any RequestAdmissionCheck] = [], loggerFactory: LoggerFactory = .disabled(),
        requestLog: HTTPRequestLog? = nil, entry: PipelineEntry
    ) {
        self.handle = entry.handler
        self.entry = entry
        self.environmentName = environmentName
        self.admissionChecks = admissionChecks
        self.loggerFactory = loggerFactory
        self.requestLog = requestLog
    }
}

/// What a server is made from.
public struct ServerConfiguration: Sendable {
    /// The URLs to bind: `Kestrel:Endpoints`' when configured, else the `urls` setting.
    public var urls: [String]
    public var options: ServerOptions
    public var environmentName: String
    /// The `Kestrel` section: endpoints (with protocols and certificates) and certificates.
    public var kestrel: KestrelConfiguration
    /// For what the server logs while starting and stopping (the same factory as the app's).
    public var loggerFactory: LoggerFactory
    /// The app's process environment: where the developer certificate is looked for
    /// (`XDG_DATA_HOME`, `HOME`) when an https endpoint has no certificate configured.
    public var environment: ProcessEnvironment

    public init(
        urls: [String], options: ServerOptions, environmentName: String, kestrel: KestrelConfiguration = KestrelConfiguration(),
        loggerFactory: LoggerFactory = .disabled(), environment: ProcessEnvironment = .current()
    ) {
        self.urls = urls
        self.options = options
        self.environmentName = environmentName
        self.kestrel = kestrel
        self.loggerFactory = loggerFactory
        self.environment = environment
    }

    /// The `Kestrel:Endpoints` entry `url` came from, if it did.
    public func kestrelEndpoint(for url: String) -> KestrelEndpoint? {
        kestrel.endpoints.first { $0.url == url }
    }
}

/// Makes a server; registered by name ("eventloop", "iouring") so `HOSTCTL_SERVER` can pick one.
public typealias ServerFactory = @Sendable (ServerConfiguration) throws -> any Server

/// A server could not start: its message is for the console, as Kestrel words it.
public struct ServerStartError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
