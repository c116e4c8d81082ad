import HostctlLogging

/// In Development, an error that escapes the pipeline before the response has started
/// becomes a page that says what went wrong: HTML for browsers, plain text otherwise.
/// (Outside Development the server answers 500 with an empty body, as Kestrel does.)
enum DeveloperExceptionPage {
    /// The error a page is shown for is logged here (the server never sees it); errors passed
    /// on are logged by the server.
    static func wrap(_ next: @escaping RequestHandler, logger: Logger) -> RequestHandler {
        { context in
            do {
                try await next(context)
            } catch {
                guard !context.response.hasStarted, !context.requestAborted.isAborted else { throw error }
                UnhandledErrorLog.report(error, context: context, logger: logger)
                let status = HTTPError.status(for: error)
                context.response.reset()
                context.response.status = status
                let wantsHTML = context.request.headers.contains("Accept", token: "text/html")
                let text = describe(error, context: context)
                if wantsHTML {
                    context.response.contentType = "text/html; charset=utf-8"
                    try await context.response.write(html(text, status: status))
                } else {
                    context.response.contentType = "text/plain; charset=utf-8"
                    try await context.response.write(text)
                }
                if error is BadRequestError { throw error }  // the server still closes the connection
            }
        }
    }

    static func describe(_ error: any Error, context: HTTPContext) -> String {
        var lines = [
            "An unhandled error occurred while processing the request.",
            "",
            "\(type(of: error)): \((error as? HTTPResponseError)?.message ?? String(describing: error))",
            "",
            "\(context.request.method) \(context.request.pathBase)\(context.request.path)\(context.request.queryString) \(context.request.protocol)",
        ]
        for field in context.request.headers { lines.append("\(field.name): \(field.value)") }
        lines += ["", "Trace identifier: \(context.traceIdentifier)"]
        return lines.joined(separator: "\n") + "\n"
    }

    static func html(_ text: String, status: Int) -> String {
        let escaped = text
            .replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;").replacing("\"", with: "&quot;")
        return """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>Error \(status)</title>
        <style>body{font-family:system-ui,sans-serif;margin:2rem}pre{background:#f6f6f6;padding:1rem;overflow:auto}</style>
        </head><body><h1>Error \(status)</h1><pre>\(escaped)</pre></body></html>
        """
    }
}
