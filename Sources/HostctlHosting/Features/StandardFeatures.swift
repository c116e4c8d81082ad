/// The request line, headers and body the server parsed (implemented by `HTTPRequest`).
public protocol HTTPRequestFeature: AnyObject {
    var method: HTTPMethod { get set }
    var scheme: String { get set }
    var pathBase: String { get set }
    var path: String { get set }
    var queryString: String { get set }
    var headers: RequestHeaders { get set }
    var body: RequestBody { get set }
}

/// Status, headers and trailers of the response (implemented by `HTTPResponse`).
public protocol HTTPResponseFeature: AnyObject {
    var status: Int { get set }
    var reasonPhrase: String? { get set }
    var headers: HTTPFields { get set }
    var trailers: HTTPFields { get set }
    var hasStarted: Bool { get }
}

/// Writing the response body (implemented by the server).
public protocol HTTPResponseBodyFeature: ResponseBodyWriter {}

/// The connection's id and endpoints (implemented by `ConnectionInfo`).
public protocol HTTPConnectionFeature: AnyObject {
    var id: String { get }
    var localEndpoint: SocketAddress? { get }
    var remoteEndpoint: SocketAddress? { get }
}

/// What the connection's TLS handshake settled (ASP.NET's ITlsHandshakeFeature and
/// ITlsApplicationProtocolFeature). Offered on connections over TLS only.
public protocol TLSHandshakeFeature: AnyObject {
    /// TLS 1.2 or 1.3; nil on a connection without TLS.
    var protocolVersion: TLSConnectionInfo.ProtocolVersion? { get }
    /// The IANA name of the cipher suite ("TLS_AES_128_GCM_SHA256").
    var cipherSuite: String { get }
    /// The handshake resumed an earlier session.
    var isResumed: Bool { get }
    /// The protocol agreed by ALPN ("h2", "http/1.1"), or nil.
    var applicationProtocol: String? { get }
    /// The host name the client asked for (SNI), or nil.
    var serverName: String? { get }
}

/// The client's certificate, when the endpoint asked for one (ASP.NET's ITlsConnectionFeature).
/// Offered on connections over TLS only.
public protocol TLSClientCertificateFeature: AnyObject {
    /// DER bytes; nil when the client sent none.
    var clientCertificate: [UInt8]? { get }
}

/// Aborting a request and learning that it was aborted (implemented by `HTTPContext`).
public protocol HTTPRequestLifetimeFeature: AnyObject {
    var requestAborted: AbortSignal { get }
    func abort()
}

/// The per-request body size limit, changeable until the body is first read.
public protocol HTTPMaxRequestBodySizeFeature: AnyObject {
    var isReadOnly: Bool { get }
    /// nil means no limit.
    var maxRequestBodySize: Int? { get set }
}

/// The addresses a server really listens on (after port 0 has become a real port).
public protocol ServerAddressesFeature: AnyObject {
    var addresses: [String] { get }
}

import HostctlCore

extension HTTPRequest: HTTPRequestFeature {}
extension HTTPResponse: HTTPResponseFeature {}
extension ConnectionInfo: HTTPConnectionFeature {}

/// A server's list of bound addresses, filled in as it starts.
public final class ServerAddresses: ServerAddressesFeature, @unchecked Sendable {
    private let lock = Lock()
    private var storage: [String] = []

    public init() {}

    public var addresses: [String] { lock.withLock { storage } }

    public func set(_ addresses: [String]) { lock.withLock { storage = addresses } }
}
