import Hostctl

/// Adds the app's middleware and routes to `app` (the server in main.swift, or a test).
public func configure(_ app: ApplicationBuilder) {
    // A line per request in the log: method, path, status, bytes and time taken.
    app.useHttpLogging()

    // Middleware: every response says how long the request took to handle.
    app.use { context, next in
        let started = ContinuousClock.now
        try await next(context)
        let elapsed = (ContinuousClock.now - started).components
        let microseconds = elapsed.seconds * 1_000_000 + elapsed.attoseconds / 1_000_000_000_000
        if !context.response.hasStarted {
            context.response.headers["Server-Timing"] = "app;dur=\(Double(microseconds) / 1000)"
        }
    }

    // Files in wwwroot: `/` is wwwroot/index.html, which uses wwwroot/css/site.css.
    app.useFileServer()

    app.get("/hello/{name}") { context in
        let name = context.routeValues["name"] ?? "world"
        context.response.contentType = "text/plain; charset=utf-8"
        try await context.response.write("Hello, \(name)!\n")
    }

    app.get("/about") { context in
        try await context.response.writeJSON(About(app: "__NAME__", environment: context.environmentName))
    }
}

/// What `/about` answers, as JSON.
struct About: Encodable {
    let app: String
    let environment: String
}
