import Hostctl
import HostctlJSON
import HostctlSystem
#if canImport(Glibc)
import Glibc
#endif

// The bundled sample app: a small web app on the hosting library, with the routes the
// benchmarks and the README use. Every route goes through the public routing API, the
// way any app would; nothing here is special-cased for benchmarks.

struct Message: Encodable {
    let message: String
}

struct SampleError: Error, CustomStringConvertible {
    var description: String { "The /throw route throws on purpose." }
}

let builder = WebApplication.builder()
// ASP.NET's templates keep the framework's own categories at Warning; a settings file or
// argument naming a longer category wins over this (bench/static.py turns the request log
// on with --Logging:LogLevel:Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware=Information).
builder.logging.addFilter("Microsoft.AspNetCore", .warning)
// HTTP.sys's response cache, which the io_uring server keeps (the event-loop server ignores
// it): `/report` below is marked cacheable, so on io_uring it is rendered once a minute.
// SAMPLE_RESPONSE_CACHE=off turns it off, to compare the same response uncached.
if getenv("SAMPLE_RESPONSE_CACHE").map({ String(cString: $0) }) != "off" {
    builder.serverOptions.responseCache = ResponseCacheOptions()
}
let app = builder.build()

// In Development, a line per request saying where its time went (on servers that time
// requests: the io_uring server; the event-loop server does not, and this prints nothing).
if app.isDevelopment { app.useRequestTimingLog() }

// A line per request when its category is on (see above). The server runs it in line, not
// as a pipeline layer, so switched off it costs an atomic load per request.
app.useHttpLogging()
// One middleware to show the pipeline: every response says which server answered.
app.use { context, next in
    context.response.headers["X-Powered-By"] = "hostctl"
    try await next(context)
}

// Files under the web root (wwwroot in the content root, or --webroot DIR), if there is one.
// SAMPLE_FILE_CACHE=off opens every file per request, to compare without the small-file cache.
if FileSystem.isDirectory(app.webRootPath) {
    var options = StaticFileOptions()
    if getenv("SAMPLE_FILE_CACHE").map({ String(cString: $0) }) == "off" { options.maxCachedFileBytes = 0 }
    app.useStaticFiles(options)
}

app.get("/") { context in
    context.response.contentType = "text/plain; charset=utf-8"
    try await context.response.write("Hello from hostctl! (\(context.environmentName))\n")
}

// TechEmpower's plaintext test: exactly this body and content type.
app.get("/plaintext") { context in
    context.response.contentType = "text/plain"
    try await context.response.write("Hello, World!")
}

// TechEmpower's JSON test: a new object serialized for every request.
app.get("/json") { context in
    context.response.contentType = "application/json"
    try await context.response.write(try JSONEncoder().encode(Message(message: "Hello, World!")))
}

// A page that costs something to render (a 100-row HTML table), marked cacheable for a
// minute: the io_uring server's response cache answers it without calling this handler.
app.get("/report") { context in
    var html = "<!DOCTYPE html><html><head><title>Report</title></head><body><table>\n"
    html.reserveCapacity(8192)
    for row in 1...100 {
        html += "<tr><td>\(row)</td><td>item-\(row * 7919 % 1000)</td><td>\(Double(row) * 1.25)</td></tr>\n"
    }
    html += "</table></body></html>\n"
    context.response.contentType = "text/html; charset=utf-8"
    context.response.headers["Cache-Control"] = "public, max-age=60"
    try await context.response.write(html)
}

// Streams the request body back as it arrives.
app.post("/echo") { context in
    context.response.contentType = context.request.contentType ?? "application/octet-stream"
    if let length = context.request.contentLength { context.response.contentLength = length }
    for try await chunk in context.request.body {
        try await context.response.write(chunk)
    }
}

// Reads the whole request body and answers how many bytes it had, without keeping or
// echoing them: straight from the server's buffer, so body limits can be tried on a route
// that reads (a body over the limit gets 413 before this answers).
app.post("/upload") { context in
    var total = 0
    while true {
        let availability = try context.request.body.readAvailable { bytes in
            total += bytes.count
            return bytes.count
        }
        if availability == .end { break }
        if availability == .waiting { try await context.request.body.waitForData() }
    }
    context.response.contentType = "text/plain; charset=utf-8"
    try await context.response.write("\(total)\n")
}

// Answers after ?ms=N milliseconds (at most a minute), to show a slow request.
app.get("/slow") { context in
    let milliseconds = min(max(Int(context.request.query["ms"] ?? "") ?? 1000, 0), 60_000)
    try await Task.sleep(for: .milliseconds(milliseconds))
    try await context.response.write("Slept \(milliseconds) ms.\n")
}

// An error escaping a handler: 500, or the developer exception page in Development.
app.get("/throw") { _ in
    throw SampleError()
}

app.run()
