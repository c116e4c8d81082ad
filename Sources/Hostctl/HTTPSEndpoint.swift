import HostctlCore
import HostctlHosting
import HostctlLogging
import HostctlServerCore
import HostctlTLS
import Synchronization

/// What one `https://` URL's connections get: a TLS layer with its certificates, ALPN list,
/// client-certificate mode and versions, settled from code and configuration in Kestrel's
/// order, each setting taken from the first of:
/// 1. the endpoint's code (`serverOptions.httpsEndpoints[name or URL]`);
/// 2. the endpoint's entry in `Kestrel:Endpoints`;
/// 3. the code's defaults (`serverOptions.httpsDefaults`);
/// 4. the configuration's defaults: `Kestrel:Certificates:Default` for the certificate
///    (`ASPNETCORE_Kestrel__Certificates__Default__Path` reaches it from the environment),
///    `Kestrel:EndpointDefaults` for the rest;
/// 5. for the certificate, in Development, the one `hostctl dev-certs https` made.
///
/// Every problem is a start error naming the endpoint, and the file and reason for a
/// certificate that cannot be served.
struct HTTPSEndpoint {
    let layer: TLSLayerFactory
    let endpoint: HTTPEndpointOptions
    /// Reloaded from the heartbeat when its files change.
    let certificates: TLSCertificateStore
    /// Settings that apply differently than configured (the server logs them as warnings).
    let warnings: [String]

    init(url: ListenURL, configuration: ServerConfiguration, onFailure: @escaping @Sendable (TLSFailure, SocketAddress?) -> Void) throws(ServerStartError) {
        let configured = configuration.kestrelEndpoint(for: url.original)
        let options = configuration.options
        let code = configured.flatMap { options.httpsEndpoints[$0.name] } ?? options.httpsEndpoints[url.original]
        let defaults = options.httpsDefaults
        let kestrel = configuration.kestrel
        let name = configured.map { "'\($0.name)' (\(url.original))" } ?? "'\(url.original)'"
        var warnings: [String] = []

        // The certificates: the default one, then any per host name.
        let development = DevelopmentCertificateLocation(environment: configuration.environment)
        let source: TLSCertificateSource
        if let certificate = code?.certificate ?? configured?.certificate ?? defaults.certificate ?? kestrel.defaultCertificate {
            source = try Self.source(certificate, endpoint: name)
        } else if configuration.environmentName.lowercased() == "development" {
            source = .developmentCertificate
        } else {
            throw ServerStartError(TLSCertificateError.noCertificateMessage)
        }
        var serverNames: [(String, TLSCertificateSource)] = []
        for host in configured?.sni ?? [] {
            if let certificate = host.certificate { serverNames.append((host.hostName, try Self.source(certificate, endpoint: name))) }
            if host.protocols != nil || host.sslProtocols != nil || host.clientCertificateMode != nil {
                warnings.append(
                    "The endpoint \(name) sets Protocols, SslProtocols or ClientCertificateMode for the host name '\(host.hostName)': "
                        + "only its Certificate is applied per host name; the endpoint's settings apply to every name."
                )
            }
        }
        do {
            certificates = try TLSCertificateStore(defaultCertificate: source, serverNames: serverNames, development: development)
        } catch {
            throw ServerStartError(error.reason == .noDevelopmentCertificate ? TLSCertificateError.noCertificateMessage : "\(error)")
        }

        // What the connection negotiates.
        let protocols = try Self.protocols(configured?.protocols ?? kestrel.endpointDefaults.protocols, endpoint: name)
        let applicationProtocols = HTTPEndpointOptions.applicationProtocols(for: protocols)
        var tls = TLSServerConfiguration()
        do { tls.applicationProtocols = try TLSApplicationProtocols(applicationProtocols) } catch { throw ServerStartError("\(error)") }
        let mode = code?.clientCertificateMode ?? configured?.clientCertificateMode ?? defaults.clientCertificateMode ?? kestrel.endpointDefaults.clientCertificateMode
        tls.clientCertificateMode = try Self.clientCertificateMode(mode, endpoint: name)
        tls.allowAnyClientCertificate = code?.allowsAnyClientCertificate ?? defaults.allowsAnyClientCertificate ?? false
        let versions = code?.sslProtocols ?? configured?.sslProtocols ?? defaults.sslProtocols ?? kestrel.endpointDefaults.sslProtocols
        tls.versions = try Self.versions(versions, endpoint: name, warnings: &warnings)

        let context: TLSServerContext
        do { context = try TLSServerContext(configuration: tls, certificates: certificates) } catch { throw ServerStartError("\(error)") }
        let timeout = code?.handshakeTimeout ?? defaults.handshakeTimeout ?? HTTPSOptions.defaultHandshakeTimeout
        var limits = TLSLayerLimits(handshakeTimeout: timeout.nanoseconds)
        limits.minimumHandshakeRate = options.minRequestBodyDataRate.map { ($0.bytesPerSecond, $0.gracePeriod.nanoseconds) }
        layer = TLSLayerFactory(context: context, limits: limits, onFailure: onFailure)
        endpoint = HTTPEndpointOptions(protocols: protocols, layers: [layer] + options.connectionLayers)
        self.warnings = warnings
    }

    // MARK: Settings, from Kestrel's names to the TLS layer's

    private static func source(_ certificate: CertificateConfiguration, endpoint: String) throws(ServerStartError) -> TLSCertificateSource {
        guard let path = certificate.path else {
            throw ServerStartError(
                "The certificate of the endpoint \(endpoint) names a certificate store (Subject '\(certificate.subject ?? "")'), "
                    + "which Windows has and Linux does not: give its Path (a PEM or PKCS#12 file) instead."
            )
        }
        return .file(path: path, keyPath: certificate.keyPath, password: certificate.password)
    }

    private static func protocols(_ protocols: HTTPProtocols, endpoint: String) throws(ServerStartError) -> HTTPProtocols {
        guard protocols.contains(.http1) || protocols.contains(.http2) else {
            throw ServerStartError("The endpoint \(endpoint) speaks no protocol this server serves (\(protocols)): set its Protocols to Http1AndHttp2, Http1 or Http2.")
        }
        return protocols.intersection([.http1, .http2])
    }

    private static func clientCertificateMode(_ mode: HostctlHosting.ClientCertificateMode, endpoint: String) throws(ServerStartError) -> HostctlTLS.ClientCertificateMode {
        switch mode {
        case .noCertificate: return .noCertificate
        case .allowCertificate: return .allowCertificate
        case .requireCertificate: return .requireCertificate
        case .delayCertificate:
            throw ServerStartError(
                "The endpoint \(endpoint) asks for ClientCertificateMode DelayCertificate, which needs TLS renegotiation "
                    + "(refused by hostctl for every connection): use AllowCertificate or RequireCertificate."
            )
        }
    }

    /// `SslProtocols`: none listed means TLS 1.2 and 1.3; older versions are never served.
    private static func versions(_ listed: [TLSProtocolVersion], endpoint: String, warnings: inout [String]) throws(ServerStartError) -> ClosedRange<TLSVersion> {
        guard !listed.isEmpty else { return .tls12 ... .tls13 }
        let served = listed.compactMap { (version: TLSProtocolVersion) -> TLSVersion? in
            switch version {
            case .tls12: .tls12
            case .tls13: .tls13
            case .tls, .tls11: nil
            }
        }
        let refused = listed.filter { $0 == .tls || $0 == .tls11 }.map(\.rawValue)
        guard let lowest = served.min(), let highest = served.max() else {
            throw ServerStartError("The endpoint \(endpoint) allows only \(refused.joined(separator: ", ")) in SslProtocols: hostctl serves TLS 1.2 and 1.3 only (RFC 8996 deprecates the older versions).")
        }
        if !refused.isEmpty {
            warnings.append("The endpoint \(endpoint) lists \(refused.joined(separator: ", ")) in SslProtocols: not served (hostctl serves TLS 1.2 and 1.3 only).")
        }
        return lowest ... highest
    }
}

/// Reloads every HTTPS endpoint's certificates when their files change, from the first
/// loop's heartbeat: new handshakes get the new certificate, open connections keep theirs.
final class CertificateReloader: LoopLocalState, Sendable {
    private let stores: [TLSCertificateStore]
    private let logger: Logger

    init(stores: [TLSCertificateStore], logger: Logger) {
        self.stores = stores
        self.logger = logger
    }

    func heartbeat(now: Int64) {
        for store in stores {
            let report = store.reloadIfChanged()
            for source in report.reloaded { logger.information("Reloaded the HTTPS certificate \(source.displayName).") }
            for failure in report.failed { logger.warning("The changed HTTPS certificate was not loaded; the previous one stays in use. \(failure)") }
        }
    }

    func loopWillStop() {}

    /// A key of its own for each server's reloader (loop-local state is keyed by owner).
    static func nextKey() -> Int { keys.wrappingAdd(1, ordering: .relaxed).oldValue }
    private static let keys = Atomic<Int>(0x7E15_0000)
}

extension TLSCertificateSource {
    /// "from '/etc/app/tls.pem'", for the log.
    var displayName: String {
        switch self {
        case .file(let path, _, _): "from '\(path)'"
        case .developmentCertificate: "(the development certificate)"
        }
    }
}
