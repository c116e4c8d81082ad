import HostctlLogging

/// `useHsts()`'s settings (ASP.NET's HstsOptions, with its defaults).
public struct HstsOptions: Sendable {
    /// How long browsers keep to HTTPS for the host: 30 days.
    public var maxAge: Duration = .seconds(30 * 24 * 3600)
    public var includeSubDomains = false
    /// Asks to be put on browsers' preload lists (see hstspreload.org before setting it).
    public var preload = false
    /// Hosts never sent the header: a developer's machine must not be pinned to HTTPS.
    public var excludedHosts = ["localhost", "127.0.0.1", "[::1]"]

    public init() {}

    /// The header's value ("max-age=2592000; includeSubDomains").
    public var headerValue: String {
        "max-age=\(maxAge.components.seconds)" + (includeSubDomains ? "; includeSubDomains" : "") + (preload ? "; preload" : "")
    }
}

extension ApplicationBuilder {
    /// Adds `Strict-Transport-Security` to responses sent over HTTPS (ASP.NET's `UseHsts`):
    /// browsers then use HTTPS for the host until `maxAge` passes. Never on plain HTTP (RFC
    /// 6797 §7.2), and never for the excluded hosts (localhost, 127.0.0.1 and [::1] by
    /// default). ASP.NET's templates add it outside Development only:
    ///
    /// ```swift
    /// if !app.isDevelopment { app.useHsts() }
    /// app.useHttpsRedirection()
    /// ```
    public func useHsts(_ options: HstsOptions = HstsOptions()) {
        let value = options.headerValue
        let excluded = Set(options.excludedHosts.map { $0.lowercased() })
        let logger = loggerFactory.logger(category: ServerLogCategory.hsts)
        use { context, next in
            guard context.request.scheme == "https" else {
                logger.debug("The request is insecure. Skipping HSTS header.", event: EventID(1, name: "NotSecure"))
                return try await next(context)
            }
            let host = HostHeader.hostName(context.request.host).lowercased()
            guard !excluded.contains(host) else {
                logger.debug("The host '\(host)' is excluded. Skipping HSTS header.", event: EventID(2, name: "ExcludedHost"))
                return try await next(context)
            }
            context.response.headers["Strict-Transport-Security"] = value
            try await next(context)
        }
    }
}
