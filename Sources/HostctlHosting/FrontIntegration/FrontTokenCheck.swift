import HostctlCore

/// The front's pairing token, checked before anything answers a request (an admission
/// check: before the response cache, the request queue and the app). Without exactly one
/// `x-hostctl-token` field equal to the token, compared in constant time, the answer is 400
/// with an empty body, not to be stored by any cache. Unlike ANCM nothing is logged: the
/// token must never reach a log. A request that passes has the field taken out of the
/// headers the app sees (error pages list them).
public struct FrontTokenCheck: RequestAdmissionCheck {
    private let token: [UInt8]

    public init(_ configuration: FrontIntegrationConfiguration) {
        token = Array(configuration.token.utf8)
    }

    public func admits(_ context: HTTPContext) -> Bool {
        let headers = context.request.headers
        var tokenIndex: Int?
        var tokenCount = 0
        var matches = false
        token.withUnsafeBytes { token in
            for index in 0..<headers.rawCount {
                headers.withField(at: index) { name, value in
                    guard name.count == 15, ASCII.equalsLowercased(name, "x-hostctl-token") else { return }
                    tokenCount += 1
                    tokenIndex = index
                    matches = Self.constantTimeEquals(value, token)
                }
            }
        }
        // Two token fields are refused even if one is right: there is no reason to send two.
        guard matches, tokenCount == 1, let tokenIndex else {
            context.response.status = 400
            context.response.headers["Cache-Control"] = "no-store"
            return false
        }
        context.request.headers.hideField(at: tokenIndex)
        return true
    }

    /// The time taken depends on the lengths only, never on where the first difference is,
    /// so timing the answers cannot reveal the token a byte at a time.
    static func constantTimeEquals(_ value: UnsafeRawBufferPointer, _ expected: UnsafeRawBufferPointer) -> Bool {
        guard value.count == expected.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<value.count { difference |= value[index] ^ expected[index] }
        return difference == 0
    }
}
