import HostctlConfiguration
import HostctlSystem

extension KestrelConfiguration {
    /// Reads the `Kestrel` section: `Limits` (and `AddServerHeader`) into `options`, the rest
    /// into the returned value. Relative certificate paths are made absolute against
    /// `contentRoot`. A value of the wrong type or out of range is an error naming its key,
    /// what was expected, and its file and line.
    public static func read(
        _ kestrel: ConfigurationSection, contentRoot: String, into options: inout ServerOptions
    ) throws(ConfigurationBindingError) -> KestrelConfiguration {
        var result = KestrelConfiguration()
        guard kestrel.exists else { return result }
        try readLimits(kestrel.section("Limits"), into: &options)
        if kestrel.section("AddServerHeader").exists { options.addsServerHeader = try kestrel.section("AddServerHeader").decode(Bool.self) }

        let defaults = kestrel.section("EndpointDefaults")
        if let protocols = try protocols(defaults.section("Protocols")) { result.endpointDefaults.protocols = protocols }
        if let versions = try sslProtocols(defaults.section("SslProtocols")) { result.endpointDefaults.sslProtocols = versions }
        if let mode = try clientCertificateMode(defaults.section("ClientCertificateMode")) { result.endpointDefaults.clientCertificateMode = mode }

        for entry in kestrel.section("Certificates").children {
            result.certificates[entry.key] = try certificate(entry, contentRoot: contentRoot)
        }

        for entry in kestrel.section("Endpoints").children {
            guard let url = entry["Url"], !url.isEmpty else {
                throw rejected(entry, "The endpoint \(entry.key) is missing the required 'Url' parameter.")
            }
            var endpoint = KestrelEndpoint(name: entry.key, url: url)
            endpoint.protocols = try protocols(entry.section("Protocols"))
            endpoint.sslProtocols = try sslProtocols(entry.section("SslProtocols"))
            endpoint.clientCertificateMode = try clientCertificateMode(entry.section("ClientCertificateMode"))
            if entry.section("Certificate").exists { endpoint.certificate = try certificate(entry.section("Certificate"), contentRoot: contentRoot) }
            for host in entry.section("Sni").children {
                var sni = SNIConfiguration(hostName: host.key)
                sni.protocols = try protocols(host.section("Protocols"))
                sni.sslProtocols = try sslProtocols(host.section("SslProtocols"))
                sni.clientCertificateMode = try clientCertificateMode(host.section("ClientCertificateMode"))
                if host.section("Certificate").exists { sni.certificate = try certificate(host.section("Certificate"), contentRoot: contentRoot) }
                endpoint.sni.append(sni)
            }
            result.endpoints.append(endpoint)
        }
        return result
    }

    /// Which URLs a server binds, by Kestrel's rule: endpoints from `Kestrel:Endpoints`
    /// replace the `urls` setting (returned as `overridden`, for Kestrel's warning, when
    /// `urls` was set to something); with no endpoints, `urls`.
    public func listenURLs(urls: String) -> (urls: [String], overridden: String?) {
        guard !endpoints.isEmpty else {
            return (urls.split(separator: ";").map { $0.trimmingSpaces }.filter { !$0.isEmpty }, nil)
        }
        let overridden = urls == HostingConfiguration.defaultURL ? nil : urls
        return (endpoints.map(\.url), overridden)
    }

    // MARK: Limits

    private static func readLimits(_ limits: ConfigurationSection, into options: inout ServerOptions) throws(ConfigurationBindingError) {
        guard limits.exists else { return }
        try optionalCount(limits.section("MaxConcurrentConnections"), minimum: 1, &options.maxConcurrentConnections)
        try optionalCount(limits.section("MaxRequestBodySize"), minimum: 0, &options.maxRequestBodySize)
        try optionalCount(limits.section("MaxRequestBufferSize"), minimum: 1, &options.maxRequestBufferSize)
        try optionalCount(limits.section("MaxResponseBufferSize"), minimum: 0, &options.maxResponseBufferSize)
        try count(limits.section("MaxRequestHeaderCount"), &options.maxRequestHeaderCount)
        try count(limits.section("MaxRequestHeadersTotalSize"), &options.maxRequestHeadersTotalSize)
        try count(limits.section("MaxRequestLineSize"), &options.maxRequestLineSize)
        try duration(limits.section("KeepAliveTimeout"), &options.keepAliveTimeout)
        try duration(limits.section("RequestHeadersTimeout"), &options.requestHeadersTimeout)
        try dataRate(limits.section("MinRequestBodyDataRate"), &options.minRequestBodyDataRate)
        try dataRate(limits.section("MinResponseDataRate"), &options.minResponseDataRate)
        try readHTTP2Limits(limits.section("Http2"), into: &options.http2)
        if let buffer = options.maxRequestBufferSize {
            let section = limits.section("MaxRequestBufferSize")
            if buffer < options.maxRequestLineSize {
                throw rejected(section, "Maximum request buffer size (\(buffer)) must be greater than or equal to maximum request line size (\(options.maxRequestLineSize)).")
            }
            if buffer < options.maxRequestHeadersTotalSize {
                throw rejected(section, "Maximum request buffer size (\(buffer)) must be greater than or equal to maximum request headers size (\(options.maxRequestHeadersTotalSize)).")
            }
        }
    }

    /// `Kestrel:Limits:Http2`, with Kestrel's ranges.
    private static func readHTTP2Limits(_ section: ConfigurationSection, into limits: inout HTTP2ServerLimits) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        try count(section.section("MaxStreamsPerConnection"), &limits.maxStreamsPerConnection)
        try bounded(section.section("HeaderTableSize"), 0...Int(Int32.max), "must be 0 or more.", &limits.headerTableSize)
        try bounded(
            section.section("MaxFrameSize"), HTTP2ServerLimits.minimumFrameSize...HTTP2ServerLimits.maximumFrameSize,
            "A value between \(HTTP2ServerLimits.minimumFrameSize) and \(HTTP2ServerLimits.maximumFrameSize) is required.", &limits.maxFrameSize
        )
        try count(section.section("MaxRequestHeaderFieldSize"), &limits.maxRequestHeaderFieldSize)
        let windows = HTTP2ServerLimits.minimumWindowSize...HTTP2ServerLimits.maximumWindowSize
        let windowMessage = "A value between \(windows.lowerBound) and \(windows.upperBound) is required."
        try bounded(section.section("InitialConnectionWindowSize"), windows, windowMessage, &limits.initialConnectionWindowSize)
        try bounded(section.section("InitialStreamWindowSize"), windows, windowMessage, &limits.initialStreamWindowSize)
        let delay = section.section("KeepAlivePingDelay")
        if delay.exists {
            let value = try delay.decode(Duration.self)
            guard value >= .seconds(1) else { throw rejected(delay, "must be at least 1 second.") }
            // Kestrel's TimeSpan.MaxValue (and anything near it) means never.
            limits.keepAlivePingDelay = value >= .seconds(365 * 24 * 3600) ? nil : value
        }
        let timeout = section.section("KeepAlivePingTimeout")
        if timeout.exists {
            let value = try timeout.decode(Duration.self)
            guard value >= .seconds(1) else { throw rejected(timeout, "must be at least 1 second.") }
            limits.keepAlivePingTimeout = value
        }
    }

    private static func bounded(
        _ section: ConfigurationSection, _ range: ClosedRange<Int>, _ message: String, _ target: inout Int
    ) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        let value = try section.decode(Int.self)
        guard range.contains(value) else { throw rejected(section, message) }
        target = value
    }

    /// A limit that may be null (no limit): present with no value sets nil.
    private static func optionalCount(_ section: ConfigurationSection, minimum: Int, _ target: inout Int?) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        guard let text = section.value, !text.isEmpty else {
            target = nil
            return
        }
        let value = try section.decode(Int.self)
        guard value >= minimum else { throw rejected(section, minimum == 0 ? "must be 0 or more (or null for no limit)." : "must be greater than 0 (or null for no limit).") }
        target = value
    }

    private static func count(_ section: ConfigurationSection, _ target: inout Int) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        let value = try section.decode(Int.self)
        guard value > 0 else { throw rejected(section, "must be greater than 0.") }
        target = value
    }

    private static func duration(_ section: ConfigurationSection, _ target: inout Duration) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        let value = try section.decode(Duration.self)
        guard value > .zero else { throw rejected(section, "must be longer than zero.") }
        target = value
    }

    private static func dataRate(_ section: ConfigurationSection, _ target: inout MinDataRate?) throws(ConfigurationBindingError) {
        guard section.exists else { return }
        if section.value == nil, section.children.isEmpty {
            target = nil
            return
        }
        struct Rate: Decodable {
            var BytesPerSecond: Double
            var GracePeriod: Duration
        }
        let rate = try section.decode(Rate.self)
        guard rate.BytesPerSecond >= 0 else { throw rejected(section.section("BytesPerSecond"), "must be 0 or more.") }
        guard rate.GracePeriod > .seconds(1) else {
            throw rejected(section.section("GracePeriod"), "The grace period must be longer than the one-second heartbeat.")
        }
        target = MinDataRate(bytesPerSecond: rate.BytesPerSecond, gracePeriod: rate.GracePeriod)
    }

    // MARK: Endpoint settings

    private static func protocols(_ section: ConfigurationSection) throws(ConfigurationBindingError) -> HTTPProtocols? {
        guard let text = section.value, !text.isEmpty else { return nil }
        guard let protocols = HTTPProtocols(name: text.trimmingSpaces) else {
            throw rejected(section, "not a protocol set (None, Http1, Http2, Http1AndHttp2, Http3 or Http1AndHttp2AndHttp3).")
        }
        return protocols
    }

    private static func sslProtocols(_ section: ConfigurationSection) throws(ConfigurationBindingError) -> [TLSProtocolVersion]? {
        guard section.exists else { return nil }
        // A list (["Tls12", "Tls13"]) or one value ("Tls12, Tls13", as .NET's enum parsing allows).
        let items: [ConfigurationSection] = section.children.isEmpty ? [section] : section.children
        var versions: [TLSProtocolVersion] = []
        for item in items {
            for name in (item.value ?? "").split(separator: ",").map({ $0.trimmingSpaces }) where !name.isEmpty {
                if name.lowercased() == "none" { continue }
                guard let version = TLSProtocolVersion.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) else {
                    throw rejected(item, "'\(name)' is not a TLS version (None, Tls, Tls11, Tls12 or Tls13).")
                }
                versions.append(version)
            }
        }
        return versions
    }

    private static func clientCertificateMode(_ section: ConfigurationSection) throws(ConfigurationBindingError) -> ClientCertificateMode? {
        guard let text = section.value, !text.isEmpty else { return nil }
        guard let mode = ClientCertificateMode.allCases.first(where: { $0.rawValue.lowercased() == text.trimmingSpaces.lowercased() }) else {
            throw rejected(section, "not a client certificate mode (NoCertificate, AllowCertificate, RequireCertificate or DelayCertificate).")
        }
        return mode
    }

    private static func certificate(_ section: ConfigurationSection, contentRoot: String) throws(ConfigurationBindingError) -> CertificateConfiguration {
        struct Settings: Decodable {
            var Path: String?
            var KeyPath: String?
            var Password: String?
            var Subject: String?
            var Store: String?
            var Location: String?
            var AllowInvalid: Bool?
        }
        let settings = try section.decode(Settings.self)
        var certificate = CertificateConfiguration(
            path: settings.Path.map { FilePath.absolute($0, relativeTo: contentRoot) },
            keyPath: settings.KeyPath.map { FilePath.absolute($0, relativeTo: contentRoot) },
            password: settings.Password
        )
        certificate.subject = settings.Subject
        certificate.store = settings.Store
        certificate.location = settings.Location
        certificate.allowInvalid = settings.AllowInvalid
        certificate.origin = section.children.first?.origin ?? section.origin
        if certificate.path == nil, certificate.subject == nil {
            throw rejected(section, "a certificate needs a Path (a PEM or PKCS#12 file) or a Subject.")
        }
        return certificate
    }

    /// An error at `section`, sent to its value's line, or its first entry's for a section.
    private static func rejected(_ section: ConfigurationSection, _ reason: String) -> ConfigurationBindingError {
        ConfigurationBindingError(
            key: section.path, reason: .rejected(value: section.value, reason: reason), origin: section.origin ?? section.children.first?.origin
        )
    }
}
