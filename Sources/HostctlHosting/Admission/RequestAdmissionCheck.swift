/// A check a server runs on every request's head before anything may answer it: before the
/// io_uring server's response cache, its request queue and the app. The front's pairing
/// token is one: a request without it must not get even a cached page.
///
/// Checks are synchronous and run on the connection's loop, in the order given; the first
/// that refuses ends the request with the response it set (and that response is never cached).
///
/// ```swift
/// struct RequireHeader: RequestAdmissionCheck {
///     func admits(_ context: HTTPContext) -> Bool {
///         if context.request.headers.contains("X-Internal") { return true }
///         context.response.status = 403
///         return false
///     }
/// }
/// ```
public protocol RequestAdmissionCheck: Sendable {
    /// Whether the request may go on. When it may not, the check has set the status and
    /// headers (no body) of the answer.
    func admits(_ context: HTTPContext) -> Bool
}
