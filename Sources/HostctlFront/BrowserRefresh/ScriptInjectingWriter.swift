import HostctlCore
import HostctlHosting

/// The response writer the browser-refresh middleware puts in front of the server's for one
/// request: whoever writes the response (the forwarder, or the front's own error pages)
/// writes through it unaware. At the first write, flush or completion, when the status and
/// headers are final, it decides once whether the body gets the snippet (`shouldInject`);
/// if so, a declared `Content-Length` grows by the snippet's length and the body passes
/// through an `HTMLScriptInjector`.
final class ScriptInjectingWriter: ResponseBodyWriter {
    private let inner: any ResponseBodyWriter
    private let response: HTTPResponse
    private let isHead: Bool
    private let snippet: [UInt8]
    /// Set once decided to inject (nil for HEAD, whose body is never sent).
    private var injector: HTMLScriptInjector?
    private var decided = false

    init(wrapping inner: any ResponseBodyWriter, response: HTTPResponse, isHead: Bool, snippet: [UInt8]) {
        self.inner = inner
        self.response = response
        self.isHead = isHead
        self.snippet = snippet
    }

    var hasStarted: Bool { inner.hasStarted }

    func write(_ bytes: UnsafeRawBufferPointer) throws -> Bool {
        decide()
        guard injector != nil else { return try inner.write(bytes) }
        var mustWait = false
        try injector!.feed(bytes) { piece in
            if try inner.write(piece) { mustWait = true }
        }
        return mustWait
    }

    func waitUntilWritable() async throws { try await inner.waitUntilWritable() }

    func flush() async throws {
        decide()
        try await inner.flush()
    }

    func complete() async throws {
        try await finish()
        try await inner.complete()
    }

    /// The handler is done writing: what the injector held back goes out (and the snippet,
    /// when the body had no `</body>`). The server completes the response afterwards.
    func finish() async throws {
        decide()
        guard injector != nil else { return }
        var mustWait = false
        try injector!.finish { piece in
            if try inner.write(piece) { mustWait = true }
        }
        injector = nil
        if mustWait { try await inner.waitUntilWritable() }
    }

    private func decide() {
        guard !decided else { return }
        decided = true
        guard !inner.hasStarted, Self.shouldInject(status: response.status, headers: response.headers) else { return }
        if let length = response.contentLength { response.contentLength = length + snippet.count }
        if !isHead { injector = HTMLScriptInjector(snippet: snippet) }
    }

    /// HTML the browser will parse as sent: a status with a whole body (not 1xx, 204, 206 or
    /// 304), `text/html`, not content-coded (a compressed body cannot be edited; dotnet watch
    /// says as much), and not marked `Cache-Control: no-transform` (RFC 9111 §5.2.2.6).
    static func shouldInject(status: Int, headers: HTTPFields) -> Bool {
        guard status >= 200, status != 204, status != 206, status != 304 else { return false }
        guard let type = headers["Content-Type"], isHTML(type) else { return false }
        for coding in headers.values(for: "Content-Encoding") {
            for token in coding.split(separator: ",") where !ASCII.equalsIgnoringCase(trim(token), "identity") {
                return false
            }
        }
        for directives in headers.values(for: "Cache-Control") {
            for directive in directives.split(separator: ",") where ASCII.equalsIgnoringCase(trim(directive), "no-transform") {
                return false
            }
        }
        return true
    }

    /// `text/html`, parameters aside, in any case.
    static func isHTML(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return ASCII.equalsIgnoringCase(trim(mediaType), "text/html")
    }

    private static func trim(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
