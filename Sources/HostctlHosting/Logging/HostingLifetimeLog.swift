import HostctlLogging

/// The console lifetime lines, in `Microsoft.Hosting.Lifetime`'s words and event ids
/// (design §5): listening addresses (14), then started, environment and content root (0),
/// and on SIGINT or SIGTERM the shutdown line (0).
public struct HostingLifetimeLog: Sendable {
    let logger: Logger

    public init(_ factory: LoggerFactory) {
        logger = factory.logger(category: ServerLogCategory.lifetime)
    }

    /// Behind the front (design §6) the address is a loopback port that answers the front
    /// alone, and Ctrl+C is the front's to handle, so one line says that instead of the
    /// listening and Ctrl+C lines: the only URL a user sees to open is the front's public one.
    public func started(urls: [String], behindTheFront: Bool = false, environmentName: String, contentRootPath: String) {
        if behindTheFront {
            let port = urls.first.flatMap { try? ListenURL($0).port }.map { ":\($0)" } ?? ""
            logger.information("Application started behind the front (on 127.0.0.1\(port), for the front's requests only).")
        } else {
            for url in urls { logger.information("Now listening on: \(url)", event: EventID(14, name: "ListeningOnAddress")) }
            logger.information("Application started. Press Ctrl+C to shut down.")
        }
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
