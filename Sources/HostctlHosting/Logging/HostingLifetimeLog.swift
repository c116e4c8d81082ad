import HostctlLogging

/// The console lifetime lines, in `Microsoft.Hosting.Lifetime`'s words and event ids
/// (design §5): listening addresses (14), then started, environment and content root (0),
/// and on SIGINT or SIGTERM the shutdown line (0).
public struct HostingLifetimeLog: Sendable {
    let logger: Logger

    public init(_ factory: LoggerFactory) {
        logger = factory.logger(category: ServerLogCategory.lifetime)
    }

    public func started(urls: [String], environmentName: String, contentRootPath: String) {
        for url in urls { logger.information("Now listening on: \(url)", event: EventID(14, name: "ListeningOnAddress")) }
        logger.information("Application started. Press Ctrl+C to shut down.")
        logger.information("Hosting environment: \(environmentName)")
        logger.information("Content root path: \(contentRootPath)")
    }

    public func stopping() {
        logger.information("Application is shutting down...")
    }

    /// A line of the host's own after the standard ones (the front's "Forwarding to:").
    public func note(_ message: String) {
        logger.information(message)
    }
}
