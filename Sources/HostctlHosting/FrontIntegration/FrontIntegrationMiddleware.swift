import HostctlCore

/// What every request meets behind the front (our IISMiddleware, ForwardedHeaders and
/// UsePathBase in one pass over the headers):
///
/// 1. the pairing token (`FrontTokenCheck`): without exactly one `x-hostctl-token` field
///    equal to the token, the answer is 400 with an empty body and nothing else sees the
///    request; the token field is taken out of the headers the app sees. `WebApplication`
///    has the server run this check before anything may answer (the io_uring server's
///    response cache included) and builds the middleware with `checksToken: false`;
/// 2. the rightmost `X-Forwarded-For`, `-Proto` and `-Host` entries become the remote
///    endpoint, scheme and host (`ForwardedHeadersFeature` keeps the originals);
/// 3. a path under the path base moves that prefix into `pathBase`.
///
/// Custom hosts can add it themselves (it then checks the token too):
///
/// ```swift
/// let front = FrontIntegrationMiddleware(FrontIntegrationConfiguration(port: 0, token: token))
/// app.use(front.handle)
/// ```
public final class FrontIntegrationMiddleware: Sendable {
    private let tokenCheck: FrontTokenCheck?
    private let pathBase: String

    /// `checksToken: false` when the server already runs `FrontTokenCheck` as an admission check.
    public init(_ configuration: FrontIntegrationConfiguration, checksToken: Bool = true) {
        tokenCheck = checksToken ? FrontTokenCheck(configuration) : nil
        pathBase = configuration.pathBase
    }

    /// `next` behind the middleware.
    public func wrap(_ next: @escaping RequestHandler) -> RequestHandler {
        { context in try await self.handle(context, next) }
    }

    public func handle(_ context: HTTPContext, _ next: RequestHandler) async throws {
        if let tokenCheck, !tokenCheck.admits(context) { return }
        let request = context.request
        let fields = scan(request.headers)
        let connection = context.connection
        let originals = originals(of: context)
        let peer = connection.remoteEndpoint
        var replacedPeer = false
        if let index = fields.forwardedFor,
           let client = request.headers.withField(at: index, { _, value in ForwardedHeaders.remoteEndpoint(forwardedFor: value) }) {
            originals.replacedRemoteEndpoint = .some(peer)
            connection.remoteEndpoint = client
            replacedPeer = true
        }
        // The connection outlives the request, and the front sends other clients' requests
        // on it next: its peer is put back, as Kestrel resets the connection feature.
        defer { if replacedPeer { connection.remoteEndpoint = peer } }
        if let index = fields.forwardedProto,
           let scheme = request.headers.withField(at: index, { _, value in ForwardedHeaders.scheme(forwardedProto: value).map(Self.schemeString) }) {
            originals.replacedScheme = request.scheme
            request.scheme = scheme
        }
        if let index = fields.forwardedHost,
           let host = request.headers.withField(at: index, { _, value in ForwardedHeaders.host(forwardedHost: value).map { String(decoding: $0, as: UTF8.self) } }) {
            originals.replacedHost = request.host
            request.host = host
        }
        if !pathBase.isEmpty, let rest = PathBaseMatching.remainder(of: request.path, under: pathBase) {
            request.pathBase += pathBase
            request.path = rest.isEmpty ? "/" : String(rest)
        }
        try await next(context)
    }

    // MARK: Pieces

    /// Where the forwarded fields are, found in one pass over the head.
    private struct FrontFields {
        var forwardedFor: Int?
        var forwardedProto: Int?
        var forwardedHost: Int?
    }

    private func scan(_ headers: RequestHeaders) -> FrontFields {
        var found = FrontFields()
        for index in 0..<headers.rawCount {
            headers.withField(at: index) { name, _ in
                switch name.count {
                case 15 where ASCII.equalsLowercased(name, "x-forwarded-for"): found.forwardedFor = index
                case 17 where ASCII.equalsLowercased(name, "x-forwarded-proto"): found.forwardedProto = index
                case 16 where ASCII.equalsLowercased(name, "x-forwarded-host"): found.forwardedHost = index
                default: break
                }
            }
        }
        return found
    }

    /// The connection's originals feature, made on its first request and reused after.
    private func originals(of context: HTTPContext) -> ForwardedRequestOriginals {
        if let existing = context.connectionFeature(ForwardedHeadersFeature.self) as? ForwardedRequestOriginals,
           existing.request === context.request, existing.connection === context.connection {
            existing.reset()
            return existing
        }
        let made = ForwardedRequestOriginals(request: context.request, connection: context.connection)
        context.setConnectionFeature(ForwardedHeadersFeature.self, made)
        return made
    }

    /// The common schemes as literals, so they cost no String.
    private static func schemeString(_ bytes: UnsafeRawBufferPointer) -> String {
        if ASCII.equalsLowercased(bytes, "https") { return "https" }
        if ASCII.equalsLowercased(bytes, "http") { return "http" }
        return String(decoding: bytes, as: UTF8.self)
    }
}
