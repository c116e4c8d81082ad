import HostctlCore
import HostctlLogging

extension ApplicationBuilder {
    /// Logs one line per request once it is over (category `Hostctl.RequestTiming`, event
    /// 1, Information), saying where its time went:
    ///
    ///     GET / 200: queue 0.01 ms, app 0.31 ms, total 0.42 ms (accepted→data 0.10 ms, parse 0.02 ms)
    ///
    /// queue: head parsed → handed to the app; app: handed → response complete; total: first
    /// bytes → response complete. It reads `HTTPRequestTimingFeature`, so on a server that does
    /// not offer it (the event-loop server) it does nothing. A line per request is a lot of
    /// output: meant for Development.
    public func useRequestTimingLog() {
        let logger = loggerFactory.logger(category: ServerLogCategory.requestTiming)
        use { context, next in
            if logger.isEnabled(.information), let timing = context.features[HTTPRequestTimingFeature.self] {
                let method = context.request.method
                // Read now: a `map` branch rewrites the path while the request is inside it.
                let path = context.request.pathBase + context.request.path
                // The response, not the context: the context holds the timing feature, which
                // holds this callback until it runs.
                let response = context.response
                // Unowned: the feature keeps this callback, so it cannot outlive the feature.
                timing.onResponseCompleted { [unowned timing] in
                    logger.information(RequestTimingLog.line(method: method, path: path, status: response.status, timing: timing), event: 1)
                }
            }
            try await next(context)
        }
    }
}

/// The line `useRequestTimingLog()` prints.
enum RequestTimingLog {
    static func line(method: HTTPMethod, path: String, status: Int, timing: HTTPRequestTimingFeature) -> String {
        let outcome = timing.timestamp(.responseCompleted) == nil ? "aborted" : String(status)
        let phases = describe([
            ("queue", .headersParsed, .handedToApplication),
            ("app", .handedToApplication, .responseCompleted),
            ("total", .dataReceived, .responseCompleted),
        ], timing)
        let details = describe([
            ("accepted→data", .connectionAccepted, .dataReceived),
            ("parse", .dataReceived, .headersParsed),
        ], timing)
        return "\(method.rawValue) \(path) \(outcome): \(phases)" + (details.isEmpty ? "" : " (\(details))")
    }

    /// "label 1.23 ms, …" for the spans whose two ends are both stamped.
    private static func describe(_ spans: [(String, HTTPRequestTimingPoint, HTTPRequestTimingPoint)], _ timing: HTTPRequestTimingFeature) -> String {
        spans.compactMap { label, start, end in
            timing.elapsedTime(from: start, to: end).map { "\(label) \(milliseconds($0))" }
        }.joined(separator: ", ")
    }

    /// Milliseconds to two decimals ("0.42 ms"), without Foundation's formatting.
    static func milliseconds(_ duration: Duration) -> String {
        let hundredths = (max(0, duration.nanoseconds) + 5_000) / 10_000
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
    }
}
