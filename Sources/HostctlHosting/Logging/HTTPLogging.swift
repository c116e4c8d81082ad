import HostctlLogging
import HostctlSystem

extension ApplicationBuilder {
    /// Logs one line per request once the app has answered it (ASP.NET's `UseHttpLogging`,
    /// in the shape of a W3C access log): method, path and query, protocol, status, body
    /// bytes and the time the pipeline took, at Information in
    /// `Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware` (event 1):
    ///
    ///     info: Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware[1]
    ///           GET /index.html HTTP/1.1 200 1256 0.412ms
    ///
    /// Add it first, so the time covers every middleware. As in ASP.NET, a settings file
    /// that lowers `Microsoft.AspNetCore` to Warning silences it unless it names this
    /// category (`"Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware": "Information"`).
    /// Turned off by configuration, it costs one atomic load per request.
    public func useHttpLogging() {
        let logger = loggerFactory.logger(category: ServerLogCategory.httpLogging)
        use { context, next in
            guard logger.isEnabled(.information) else {
                try await next(context)
                return
            }
            // The path as requested (the default-files middleware rewrites `/` to `/index.html`).
            let target = (pathBase: context.request.pathBase, path: context.request.path)
            let started = MonotonicClock.now()
            do {
                try await next(context)
            } catch {
                let status = context.response.hasStarted ? context.response.status : (error as? HTTPResponseError)?.status ?? 500
                logger.information(HTTPLogLine.make(context, target, status: status, nanoseconds: MonotonicClock.now() - started), event: 1)
                throw error
            }
            logger.information(
                HTTPLogLine.make(context, target, status: context.response.status, nanoseconds: MonotonicClock.now() - started), event: 1
            )
        }
    }
}

/// The request log's line, built into one string of reserved capacity.
enum HTTPLogLine {
    static func make(_ context: HTTPContext, _ target: (pathBase: String, path: String), status: Int, nanoseconds: Int64) -> String {
        let request = context.request
        var line = ""
        line.reserveCapacity(64 + target.pathBase.utf8.count + target.path.utf8.count + request.queryString.utf8.count)
        line += request.method.rawValue
        line += " "
        line += target.pathBase
        line += target.path
        line += request.queryString
        line += " "
        line += request.protocol
        line += " "
        line += String(status)
        line += " "
        line += String(context.response.bodyBytesWritten)
        line += " "
        let microseconds = max(0, nanoseconds) / 1000
        line += String(microseconds / 1000)
        line += "."
        let fraction = microseconds % 1000
        line += fraction < 10 ? "00" : fraction < 100 ? "0" : ""
        line += String(fraction)
        line += "ms"
        return line
    }
}
