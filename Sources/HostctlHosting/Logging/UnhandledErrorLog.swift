import HostctlLogging

/// Logs, once, an error that escapes the app's pipeline: at Error, in Kestrel's words and
/// event (13, ApplicationError), with the request's method, path and trace identifier, and
/// the error below:
///
///     fail: Microsoft.AspNetCore.Server.Kestrel[13]
///           Connection id "0HN1GKT5U3P6Q", Request id "0HN1GKT5U3P6Q:00000001": An unhandled error was thrown by the application (GET /orders/7).
///           Shop.PaymentError: the card was declined
///
/// Not errors: an `HTTPResponseError` below 500 (`HTTPError(404)` is an answer) and a
/// request the client abandoned are logged at Debug; a request the server rejected
/// mid-body (`BadRequestError`) is the server's to log. The server core reports what
/// escapes the pipeline as it answers; the developer exception page what it shows.
public enum UnhandledErrorLog {
    public static func report(_ error: any Error, context: HTTPContext, logger: Logger) {
        if error is BadRequestError { return }
        let abandoned = context.requestAborted.isAborted || error is ConnectionAbortedError || error is CancellationError
        let answered = (error as? HTTPResponseError).map { $0.status < 500 } ?? false
        let level: LogLevel = abandoned || answered ? .debug : .error
        guard logger.isEnabled(level) else { return }
        let what = abandoned ? "The request was aborted" : answered ? "The application answered with an error" : "An unhandled error was thrown by the application"
        let request = context.request
        logger.log(
            level,
            "Connection id \"\(context.connection.id)\", Request id \"\(context.traceIdentifier)\": \(what) (\(request.method.rawValue) \(request.pathBase)\(request.path)).",
            event: EventID(13, name: "ApplicationError"), error: error
        )
    }
}

/// With a sink that shows scopes, every request runs in two, as Kestrel's and the host's:
/// `ConnectionId:…` and `RequestPath:… RequestId:…`.
enum RequestLogScopes {
    static func wrap(_ next: @escaping RequestHandler) -> RequestHandler {
        { context in
            try await LogScope.with("ConnectionId:\(context.connection.id)") {
                try await LogScope.with("RequestPath:\(context.request.pathBase)\(context.request.path) RequestId:\(context.traceIdentifier)") {
                    try await next(context)
                }
            }
        }
    }
}
