import HostctlCore
import HostctlHosting

/// Which driver a new connection gets, from its endpoint's protocols and what its TLS layer
/// negotiated (Kestrel's HttpConnection.SelectProtocol, plus h2c by preface on endpoints
/// for both versions).
enum ProtocolChoice: Equatable {
    /// HTTP/1.1.
    case http1
    /// HTTP/1.1, handing the connection to HTTP/2 if the client opens with HTTP/2's
    /// preface (h2c with prior knowledge on a cleartext endpoint for both versions).
    case http1OrHTTP2Preface
    case http2
    /// HTTP/2 was negotiated over TLS that RFC 9113 §9.2 forbids for it: the connection is
    /// told so with GOAWAY INADEQUATE_SECURITY, and closed.
    case inadequateSecurity(String)
    /// The client did not negotiate anything the endpoint speaks: the connection closes.
    case refused(String)

    static func choose(_ protocols: HTTPProtocols, tls: TLSConnectionInfo?) -> ProtocolChoice {
        let http1 = protocols.contains(.http1)
        let http2 = protocols.contains(.http2)
        guard http1 || http2 else { return .refused("An endpoint must be configured to serve at least one protocol.") }
        guard let tls else {
            if http1 && http2 { return .http1OrHTTP2Preface }
            return http1 ? .http1 : .http2
        }
        // ALPN's choice; without one (a client that offered none), the endpoint's first protocol.
        if tls.applicationProtocol == "h2" {
            guard http2 else { return .refused("HTTP/2 was negotiated on an endpoint that does not serve HTTP/2.") }
            if let problem = HTTP2TLSRequirements.problem(with: tls) { return .inadequateSecurity(problem) }
            return .http2
        }
        guard http1 else { return .refused("HTTP/2 over TLS was not negotiated on an HTTP/2-only endpoint.") }
        return .http1
    }
}
