/// The log categories the host and its servers write to, named as ASP.NET Core names
/// them, so a real appsettings.json's filters (`"Microsoft.AspNetCore": "Warning"`) apply
/// to hostctl as they do to Kestrel.
public enum ServerLogCategory {
    /// The console lifetime lines (`Now listening on:`, `Application started.`, …).
    public static let lifetime = "Microsoft.Hosting.Lifetime"
    /// The host's own start-up problems (configuration that cannot be read or bound).
    public static let hosting = "Microsoft.Extensions.Hosting"
    /// The event-loop server's general events: start failures, overridden addresses, errors
    /// the app threw (event 13, ApplicationError).
    public static let kestrel = "Microsoft.AspNetCore.Server.Kestrel"
    /// Requests the server rejects before the app sees them (event 17, ConnectionBadRequest,
    /// at Debug), and slow clients (27 and 28).
    public static let kestrelBadRequests = "Microsoft.AspNetCore.Server.Kestrel.BadRequests"
    /// Connections accepted (39), started (1), stopped (2), kept alive (9), rejected for the
    /// connection limit (24, Warning), aborted by the app (34).
    public static let kestrelConnections = "Microsoft.AspNetCore.Server.Kestrel.Connections"
    /// TLS handshakes that fail or time out (Debug, as Kestrel logs them: the client's
    /// doing), on either server.
    public static let kestrelHttps = "Microsoft.AspNetCore.Server.Kestrel.Https.Internal.HttpsConnectionMiddleware"
    /// Certificates: loaded, reloaded, or failing to reload.
    public static let kestrelCertificates = "Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServer"
    /// `useHttpsRedirection()`: no https port to redirect to (Warning, once).
    public static let httpsRedirection = "Microsoft.AspNetCore.HttpsPolicy.HttpsRedirectionMiddleware"
    /// `useHsts()`: requests the header is not added to, and why (Debug).
    public static let hsts = "Microsoft.AspNetCore.HttpsPolicy.HstsMiddleware"
    /// The io_uring server's counterpart of `kestrel` (HTTP.sys's category).
    public static let httpSys = "Microsoft.AspNetCore.Server.HttpSys"
    /// `useHttpLogging()`'s one line per request.
    public static let httpLogging = "Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware"
    /// `useRequestTimingLog()`'s line per request.
    public static let requestTiming = "Hostctl.RequestTiming"
    /// `useStaticFiles()`: files served, ranges, 304 and 412 (Information, as ASP.NET logs them),
    /// a range past the end (Warning), paths that name no file (Debug).
    public static let staticFiles = "Microsoft.AspNetCore.StaticFiles.StaticFileMiddleware"

    /// The general category of the server registered as `serverName`.
    public static func general(forServer serverName: String) -> String {
        serverName == "iouring" ? httpSys : kestrel
    }
}
