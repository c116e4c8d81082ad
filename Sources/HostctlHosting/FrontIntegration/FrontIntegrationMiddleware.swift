import HostctlCore

/// The first thing every request meets behind the front (our IISMiddleware, ForwardedHeaders
/// and UsePathBase in one pass over the headers):
///
/// 1. the pairing token: without exactly one `x-hostctl-token` field equal to the token
///    (compared in constant time), the answer is 400 with an empty body and nothing else
///    sees the request. Unlike ANCM, nothing is logged: the token must never reach a log;
/// 2. the token field is taken out of the headers the app sees (error pages list them);
/// 3. the rightmost `X-Forwarded-For`, `-Proto` and `-Host` entries become the remote
///    endpoint, scheme and host (`ForwardedHeadersFeature` keeps the originals);
/// 4. a path under the path base moves that prefix into `pathBase`.
///
/// `WebApplication` puts it outside the whole pipeline when the front's variables are set.
/// Custom hosts can add it themselves:
///
/// ```swift
/// let front = FrontIntegrationMiddleware(FrontIntegrationConfiguration(port: 0, token: token))
/// app.use(front.handle)
/// ```
public final class FrontIntegrationMiddleware: Sendable {
    private let token: [UInt8]
    private let pathBase: String

    public init(_ configuration: FrontIntegrationConfiguration) {
        token = Array(configuration.token.utf8)
        pathBase = configuration.pathBase
    }

    /// `next` behind the check.
    public func wrap(_ next: @escaping RequestHandler) -> RequestHandler {
        { context in try await self.handle(context, next) }
    }

    public func handle(_ context: HTTPContext, _ next: RequestHandler) async throws {
        let request = context.request
        let fields = scan(request.headers)
        guard fields.tokenMatches, let tokenIndex = fields.token else {
            reject(context)
            return
        }

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
        // Last: hiding a field of an owned header list shifts the indices found above.
        request.headers.hideField(at: tokenIndex)
        if !pathBase.isEmpty, let rest = PathBaseMatching.remainder(of: request.path, under: pathBase) {
            request.pathBase += pathBase
            request.path = rest.isEmpty ? "/" : String(rest)
        }
        try await next(context)
    }

    // MARK: Pieces

    /// Where the fields of interest are, found in one pass over the head.
    private struct FrontFields {
        var token: Int?
        var tokenMatches = false
        var forwardedFor: Int?
        var forwardedProto: Int?
        var forwardedHost: Int?
    }

    private func scan(_ headers: RequestHeaders) -> FrontFields {
        var found = FrontFields()
        var tokenCount = 0
        token.withUnsafeBytes { token in
            for index in 0..<headers.rawCount {
                headers.withField(at: index) { name, value in
                    switch name.count {
                    case 15 where ASCII.equalsLowercased(name, "x-hostctl-token"):
                        tokenCount += 1
                        found.token = index
                        found.tokenMatches = Self.constantTimeEquals(value, token)
                    case 15 where ASCII.equalsLowercased(name, "x-forwarded-for"): found.forwardedFor = index
                    case 17 where ASCII.equalsLowercased(name, "x-forwarded-proto"): found.forwardedProto = index
                    case 16 where ASCII.equalsLowercased(name, "x-forwarded-host"): found.forwardedHost = index
                    default: break
                    }
                }
            }
        }
        // Two token fields are refused even if one is right: there is no reason to send two.
        if tokenCount != 1 { found.tokenMatches = false }
        return found
    }

    /// The time taken depends on the lengths only, never on where the first difference is,
    /// so timing the answers cannot reveal the token a byte at a time.
    static func constantTimeEquals(_ value: UnsafeRawBufferPointer, _ expected: UnsafeRawBufferPointer) -> Bool {
        guard value.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<value.count { difference |= value[index] ^ expected[index] }
        return difference == 0
    }

    /// 400, empty body, not to be stored by any cache; nothing logged.
    private func reject(_ context: HTTPContext) {
        context.response.status = 400
        context.response.headers["Cache-Control"] = "no-store"
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
