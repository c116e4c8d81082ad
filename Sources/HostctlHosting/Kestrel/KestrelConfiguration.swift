import HostctlConfiguration

/// The `Kestrel` section of an ASP.NET appsettings.json, with Kestrel's key names, as plain
/// values: endpoints (their URLs replace the `urls` setting, as in Kestrel), endpoint
/// defaults and certificates. `Kestrel:Limits` goes straight into `ServerOptions`.
///
/// ```jsonc
/// "Kestrel": {
///   "Limits": { "MaxRequestBodySize": 10485760, "KeepAliveTimeout": "00:02:10" },
///   "Endpoints": {
///     "Http":  { "Url": "http://*:8080", "Protocols": "Http1" },
///     "Https": { "Url": "https://*:8443", "Certificate": { "Path": "cert.pem", "KeyPath": "key.pem" },
///                "Sni": { "a.example.com": { "Certificate": { "Path": "a.pem", "KeyPath": "a.key" } } } }
///   },
///   "Certificates": { "Default": { "Path": "cert.pfx", "Password": "…" } }
/// }
/// ```
///
/// The certificates are read and checked for shape only; serving https:// is the TLS
/// layer's (until it exists, an https URL stops the server at start with a clear message).
public struct KestrelConfiguration: Sendable, Equatable {
    /// `Kestrel:Endpoints`, in the order the configuration lists them.
    public var endpoints: [KestrelEndpoint] = []
    /// `Kestrel:EndpointDefaults`: what an endpoint that says nothing gets.
    public var endpointDefaults = KestrelEndpointDefaults()
    /// `Kestrel:Certificates` by name ("Default" is used by https endpoints without one).
    public var certificates: [String: CertificateConfiguration] = [:]

    public init() {}

    /// `Kestrel:Certificates:Default` (the name matched without regard to case).
    public var defaultCertificate: CertificateConfiguration? {
        certificates.first { $0.key.lowercased() == "default" }?.value
    }
}

/// One `Kestrel:Endpoints:<Name>` entry.
public struct KestrelEndpoint: Sendable, Equatable {
    /// The entry's name ("Http", "Https", "Internal").
    public var name: String
    /// The URL to listen on (`Url`, required), in the forms `urls` takes.
    public var url: String
    /// `Protocols`; nil: the endpoint defaults'.
    public var protocols: HTTPProtocols?
    /// `SslProtocols`; nil: the defaults' (empty: the system's choice).
    public var sslProtocols: [TLSProtocolVersion]?
    public var clientCertificateMode: ClientCertificateMode?
    public var certificate: CertificateConfiguration?
    /// `Sni`: per host name (`*.example.com` and `*` allowed), in configuration order.
    public var sni: [SNIConfiguration] = []

    public init(name: String, url: String) {
        self.name = name
        self.url = url
    }
}

/// `Kestrel:EndpointDefaults`.
public struct KestrelEndpointDefaults: Sendable, Equatable {
    /// Kestrel's default: HTTP/1.1 and HTTP/2 (HTTP/2 needs TLS and ALPN to be chosen).
    public var protocols: HTTPProtocols = [.http1, .http2]
    public var sslProtocols: [TLSProtocolVersion] = []
    public var clientCertificateMode: ClientCertificateMode = .noCertificate

    public init() {}
}

/// `Sni:<host name>`: what connections that ask for that name get.
public struct SNIConfiguration: Sendable, Equatable {
    public var hostName: String
    public var protocols: HTTPProtocols?
    public var sslProtocols: [TLSProtocolVersion]?
    public var clientCertificateMode: ClientCertificateMode?
    public var certificate: CertificateConfiguration?

    public init(hostName: String) { self.hostName = hostName }
}

/// Where a certificate is, as Kestrel's configuration says it: a file (PEM with `KeyPath`,
/// or PKCS#12 with `Password`), or a store entry (`Subject`, `Store`, `Location`, which
/// only Windows has). Paths are made absolute against the content root. Printing it never
/// shows the password.
public struct CertificateConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var path: String?
    public var keyPath: String?
    public var password: String?
    public var subject: String?
    public var store: String?
    public var location: String?
    public var allowInvalid: Bool?
    /// Where the certificate was configured (for the TLS layer's messages).
    public var origin: ConfigurationOrigin?

    public init(path: String? = nil, keyPath: String? = nil, password: String? = nil) {
        self.path = path
        self.keyPath = keyPath
        self.password = password
    }

    public var isFile: Bool { path != nil }

    public var description: String {
        var parts: [String] = []
        if let path { parts.append("Path=\(path)") }
        if let keyPath { parts.append("KeyPath=\(keyPath)") }
        if password != nil { parts.append("Password=(hidden)") }
        if let subject { parts.append("Subject=\(subject)") }
        if let store { parts.append("Store=\(store)") }
        if let location { parts.append("Location=\(location)") }
        if let allowInvalid { parts.append("AllowInvalid=\(allowInvalid)") }
        return "Certificate(\(parts.joined(separator: ", ")))"
    }
}

/// Which HTTP versions an endpoint speaks (Kestrel's HttpProtocols).
public struct HTTPProtocols: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let http1 = HTTPProtocols(rawValue: 1)
    public static let http2 = HTTPProtocols(rawValue: 2)
    public static let http3 = HTTPProtocols(rawValue: 4)

    /// Kestrel's names: None, Http1, Http2, Http1AndHttp2, Http3, Http1AndHttp2AndHttp3
    /// (any case).
    public init?(name: String) {
        switch name.lowercased() {
        case "none": self = []
        case "http1": self = .http1
        case "http2": self = .http2
        case "http1andhttp2": self = [.http1, .http2]
        case "http3": self = .http3
        case "http1andhttp2andhttp3": self = [.http1, .http2, .http3]
        default: return nil
        }
    }

    public var description: String {
        let names = [(HTTPProtocols.http1, "Http1"), (.http2, "Http2"), (.http3, "Http3")].filter { contains($0.0) }.map(\.1)
        return names.isEmpty ? "None" : names.joined(separator: "And")
    }
}

/// `SslProtocols` entries, by .NET's names. `None` (the system's choice) is an empty list.
public enum TLSProtocolVersion: String, Sendable, CaseIterable {
    case tls = "Tls"
    case tls11 = "Tls11"
    case tls12 = "Tls12"
    case tls13 = "Tls13"
}

/// `ClientCertificateMode`, by Kestrel's names.
public enum ClientCertificateMode: String, Sendable, CaseIterable {
    case noCertificate = "NoCertificate"
    case allowCertificate = "AllowCertificate"
    case requireCertificate = "RequireCertificate"
    case delayCertificate = "DelayCertificate"
}
