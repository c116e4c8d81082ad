/// Where a request was when the server stamped it: HTTP.sys's HttpSysRequestTimingType,
/// reduced to what a server in user space sees.
public enum HTTPRequestTimingPoint: Int, Sendable, CaseIterable {
    /// The server accepted the request's connection (HTTP.sys's ConnectionStart).
    case connectionAccepted
    /// The first bytes of this request arrived, or, for a request already read behind the one
    /// before (pipelined), the server turned to it (DataStart).
    case dataReceived
    /// Its head was parsed (RequestHeaderParseEnd).
    case headersParsed
    /// The app's pipeline was given the request (RequestDeliveredForIO).
    case handedToApplication
    /// The response was complete: its last byte was queued to send. Nil until then, and for
    /// good when the request is aborted. Read it in `onResponseCompleted`: it is stamped only
    /// for a request with a callback to run (beyond HTTP.sys's stamps, which end at delivery,
    /// and a clock read that no other request should pay for).
    case responseCompleted
}

/// When a request reached each point on its way through the server (HTTP.sys's
/// IHttpSysRequestTimingFeature), for finding where time goes: in a queue, in parsing, in
/// the app. Offered by the io_uring server; `context.features[HTTPRequestTimingFeature.self]`
/// is nil on servers without it.
///
/// ```swift
/// if let timing = context.features[HTTPRequestTimingFeature.self] {
///     timing.onResponseCompleted {
///         let app = timing.elapsedTime(from: .handedToApplication, to: .responseCompleted)
///     }
/// }
/// ```
public protocol HTTPRequestTimingFeature: AnyObject {
    /// Monotonic nanoseconds (CLOCK_MONOTONIC, as `MonotonicClock.now()`), or nil when the
    /// request has not reached `point`.
    func timestamp(_ point: HTTPRequestTimingPoint) -> Int64?

    /// Runs `callback` once the request is over: after its response has completed, or once it
    /// was aborted (`.responseCompleted` is then nil). The response completes after the
    /// pipeline returns, so this is where its last stamp can be read. Runs at once when the
    /// request is already over.
    func onResponseCompleted(_ callback: @escaping () -> Void)
}

extension HTTPRequestTimingFeature {
    /// From `start` to `end` (HTTP.sys's TryGetElapsedTime); nil when either is not stamped.
    public func elapsedTime(from start: HTTPRequestTimingPoint, to end: HTTPRequestTimingPoint) -> Duration? {
        guard let startTime = timestamp(start), let endTime = timestamp(end) else { return nil }
        return .nanoseconds(endTime - startTime)
    }
}
