import HostctlConfiguration
import HostctlCore
import HostctlLogging

/// `useHttpsRedirection()`'s settings (ASP.NET's HttpsRedirectionOptions).
public struct HttpsRedirectionOptions: Sendable {
    /// 307 (Temporary Redirect), as ASP.NET: the method and body are kept, and nothing is
    /// cached, so a development setup can change without browsers remembering it.
    public var redirectStatusCode = 307
    /// The port to redirect to; nil finds it (see `useHttpsRedirection`).
    public var httpsPort: Int?

    public init(redirectStatusCode: Int = 307, httpsPort: Int? = nil) {
        self.redirectStatusCode = redirectStatusCode
        self.httpsPort = httpsPort
    }
}

extension WebApplication {
    /// Redirects plain-HTTP requests to HTTPS (ASP.NET's `UseHttpsRedirection`): a 307 to
    /// `https://host:port` with the same path and query. The port is, first found:
    /// `options.httpsPort`; the `https_port` setting (`HOSTCTL_HTTPS_PORT`,
    /// `ASPNETCORE_HTTPS_PORT`, or `https_port` in appsettings.json); `ANCM_HTTPS_PORT`
    /// (what the front, like IIS, gives an app behind it); the server's only https binding.
    /// With none (or several https ports), requests pass on unredirected and a warning is
    /// logged once, as ASP.NET does.
    ///
    /// Behind the front, requests that reached the front over HTTPS arrive with the scheme
    /// `https` (from X-Forwarded-Proto), so they are not redirected.
    public func useHttpsRedirection(_ options: HttpsRedirectionOptions = HttpsRedirectionOptions()) {
        let port = HttpsPortResolution(configured: options.httpsPort, configuration: configuration) { [weak self] in
            self?.urls ?? []
        }
        let logger = logger(category: ServerLogCategory.httpsRedirection)
        let status = options.redirectStatusCode
        use { context, next in
            let request = context.request
            guard request.scheme != "https", let port = port.resolve(logger: logger) else { return try await next(context) }
            let host = HostHeader.hostName(request.host)
            let authority = port == 443 ? host : "\(host):\(port)"
            context.response.status = status
            context.response.headers["Location"] = "https://" + authority + URIPath.encode(request.pathBase + request.path) + request.queryString
        }
    }
}

/// The https port, found once (on the first plain request, when the server listens) and kept.
final class HttpsPortResolution: @unchecked Sendable {
    private let lock = Lock()
    private var resolved: Int??
    private let configured: Int?
    private let configuration: Configuration
    private let addresses: @Sendable () -> [String]

    init(configured: Int?, configuration: Configuration, addresses: @escaping @Sendable () -> [String]) {
        self.configured = configured
        self.configuration = configuration
        self.addresses = addresses
    }

    func resolve(logger: Logger) -> Int? {
        if let resolved = lock.withLock({ resolved }) { return resolved }
        let port = find(logger: logger)
        lock.withLock { resolved = port }
        return port
    }

    private func find(logger: Logger) -> Int? {
        if let configured { return configured }
        for key in ["HTTPS_PORT", "ANCM_HTTPS_PORT"] {
            if let text = configuration[key], let port = Int(text.trimmingSpaces), port > 0, port < 65536 { return port }
        }
        let ports = Set(addresses().compactMap { address -> Int? in
            guard let url = try? ListenURL(address), url.isHTTPS else { return nil }
            return Int(url.port)
        })
        if ports.count > 1 {
            logger.warning(
                "Cannot determine the https port from IServerAddressesFeature, multiple values were found. "
                    + "Set the desired port explicitly on HttpsRedirectionOptions.HttpsPort.", event: EventID(2, name: "FailedMultiplePorts"))
            return nil
        }
        guard let port = ports.first else {
            logger.warning("Failed to determine the https port for redirect.", event: EventID(3, name: "FailedToDeterminePort"))
            return nil
        }
        return port
    }
}

/// The parts of a Host header value.
enum HostHeader {
    /// "localhost:5000" → "localhost"; "[::1]:5000" → "[::1]"; "example.org" as it is.
    static func hostName(_ host: String) -> String {
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return host }
            return String(host[...close])
        }
        guard let colon = host.lastIndex(of: ":") else { return host }
        return String(host[..<colon])
    }
}

/// Percent-encoding for a decoded path put back into a URL (ASP.NET's PathString.ToUriComponent).
enum URIPath {
    static func encode(_ path: String) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(path.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for byte in path.utf8 {
            if isAllowed(byte) {
                encoded.append(byte)
            } else {
                encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// RFC 3986's pchar and "/": unreserved, sub-delims, ":" and "@".
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "@"),
             UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="): true
        default: false
        }
    }
}
