import HostctlTestSupport
import Glibc
import Hostctl
@testable import HostctlFront
import HostctlSystem
import Testing

/// Browser refresh through a real front (composed as FrontHost composes it: the middleware
/// before the forwarder, and on the forwarding path its transform and its own paths) and a
/// real app, on both paths: the script goes into HTML only, lengths stay right, and the
/// event stream says reload after a swap and shows a problem.
@Suite struct BrowserRefreshTests {
    static let page = "<!DOCTYPE html><html><body><h1>hello</h1></body></html>"

    /// An app with HTML and other responses, and a front with browser refresh before it.
    final class Setup: Sendable {
        let app: WebApplication
        let front: WebApplication
        let frontPort: Int
        let refresh: BrowserRefresh

        init(_ path: ForwardingPath, source: (AppEndpoint) -> any AppEndpointSource = { TestEndpointSource($0) }) async throws {
            let (app, appPort) = try await startApp { app in
                app.get("/page") { try await $0.response.writeHTML(BrowserRefreshTests.page) }
                app.get("/streamed") { context in
                    context.response.contentType = "text/html"
                    for piece in ["<html><body>one ", "two</bo", "dy></html>"] {
                        try await context.response.write(piece)
                        try await context.response.flush()
                    }
                }
                app.get("/fragment") { try await $0.response.writeHTML("<p>no body tag</p>") }
                app.get("/text") { try await $0.response.write("</body> in plain text") }
                app.get("/gzip") { context in
                    context.response.headers["Content-Encoding"] = "gzip"
                    try await context.response.writeHTML("pretend-compressed </body>")
                }
                app.get("/no-transform") { context in
                    context.response.headers["Cache-Control"] = "no-transform"
                    try await context.response.writeHTML(BrowserRefreshTests.page)
                }
            }
            let refresh = BrowserRefresh()
            var options = ForwardingOptions()
            options.handledByFront = BrowserRefresh.isOwnPath
            options.responseBodyTransform = refresh
            let forwarder = Forwarder(source: source(AppEndpoint(port: UInt16(appPort), token: "t", generation: 1)), options: options)
            let (front, frontPort) = try await startApp(forwarding: path == .forwarding ? forwarder : nil) { front in
                front.use { context, next in try await refresh.handle(context, next: next) }
                front.use { context, _ in try await forwarder.forward(context) }
            }
            self.app = app
            self.front = front
            self.frontPort = frontPort
            self.refresh = refresh
        }

        func get(_ target: String, method: String = "GET", on client: TestClient? = nil) throws -> TestResponse {
            let client = try client ?? TestClient(port: frontPort)
            try client.send("\(method) \(target) HTTP/1.1\r\nHost: front.test\r\n\r\n")
            return try client.readResponse(head: method == "HEAD")
        }

        func stop() async {
            refresh.close()
            await front.stop()
            await app.stop()
        }
    }

    static func tag(_ version: Int) -> String { "<script src=\"/_hostctl/watch.js?v=\(version)\"></script>" }

    @Test(arguments: ForwardingPath.allCases) func htmlGetsTheScriptBeforeTheClosingTagWithItsLengthRight(_ path: ForwardingPath) async throws {
        let setup = try await Setup(path)
        try await offThePool {
            let client = try TestClient(port: setup.frontPort)
            let page = try setup.get("/page", on: client)
            let expected = "<!DOCTYPE html><html><body><h1>hello</h1>\(Self.tag(0))</body></html>"
            #expect(page.status == 200)
            #expect(page.text == expected, "\(page)")
            #expect(page.headers["content-length"] == String(expected.utf8.count))
            // The connection is still in step: the next response parses whole.
            let head = try setup.get("/page", method: "HEAD", on: client)
            #expect(head.headers["content-length"] == String(expected.utf8.count), "HEAD: the length GET would have")
            let text = try setup.get("/text", on: client)
            #expect(text.text == "</body> in plain text", "\(text)")
        }
        await setup.stop()
    }

    @Test(arguments: ForwardingPath.allCases) func aStreamedPageAndAFragmentGetItToo(_ path: ForwardingPath) async throws {
        let setup = try await Setup(path)
        try await offThePool {
            let streamed = try setup.get("/streamed")
            // Chunked, or (when the app's pieces arrived together) with a length, which must be right.
            #expect(streamed.headers["transfer-encoding"] == "chunked" || streamed.headers["content-length"] == String(streamed.body.count))
            #expect(streamed.text == "<html><body>one two\(Self.tag(0))</body></html>", "split across chunks: \(streamed)")
            let fragment = try setup.get("/fragment")
            #expect(fragment.text == "<p>no body tag</p>\(Self.tag(0))")
            #expect(fragment.headers["content-length"] == String(fragment.body.count))
        }
        await setup.stop()
    }

    @Test(arguments: ForwardingPath.allCases) func compressedAndNoTransformResponsesAreLeftAlone(_ path: ForwardingPath) async throws {
        let setup = try await Setup(path)
        try await offThePool {
            let gzip = try setup.get("/gzip")
            #expect(gzip.text == "pretend-compressed </body>", "\(gzip)")
            let kept = try setup.get("/no-transform")
            #expect(kept.text == Self.page, "\(kept)")
        }
        await setup.stop()
    }

    @Test(arguments: ForwardingPath.allCases) func theFrontsOwnPagesGetItSoTheyReloadOnceTheAppIsBack(_ path: ForwardingPath) async throws {
        let unavailable = FrontErrorPage.notRunning(app: "app", lastFailure: nil, outputTail: nil)
        let setup = try await Setup(path, source: { _ in TestEndpointSource(unavailable: unavailable) })
        try await offThePool {
            let page = try setup.get("/")
            #expect(page.status == 503)
            #expect(page.text.contains("not running yet"))
            #expect(page.text.hasSuffix("\(Self.tag(0))</body></html>\n"), "\(page)")
        }
        await setup.stop()
    }

    @Test(arguments: ForwardingPath.allCases) func theScriptIsServedByTheFront(_ path: ForwardingPath) async throws {
        let setup = try await Setup(path)
        try await offThePool {
            let script = try setup.get("/_hostctl/watch.js")
            #expect(script.status == 200)
            #expect(script.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(script.text.contains("new EventSource(\"/_hostctl/watch?v=\""), "\(script)")
        }
        await setup.stop()
    }

    @Test(arguments: ForwardingPath.allCases) func theEventStreamSaysReloadAfterASwapAndShowsProblems(_ path: ForwardingPath) async throws {
        let setup = try await Setup(path)
        try await offThePool {
            let stream = try TestClient(port: setup.frontPort)
            try stream.send("GET /_hostctl/watch?v=0 HTTP/1.1\r\nHost: front.test\r\n\r\n")
            let head = try stream.readThrough("retry: 1000\n\n")
            #expect(head.hasPrefix("HTTP/1.1 200"), "\(head)")
            #expect(head.lowercased().contains("content-type: text/event-stream"))
            #expect(head.lowercased().contains("transfer-encoding: chunked"))
            #expect(!head.contains("event:"), "nothing to say yet")

            setup.refresh.reload()
            #expect(try stream.readThrough("\n\n").hasSuffix("event: reload\ndata: 1\n\n"))
            setup.refresh.show(.init(title: "The build failed.", details: ["main.swift:1:1: error: <oops>"]))
            #expect(try stream.readThrough("\n\n").hasSuffix("event: problem\ndata: The build failed.\ndata: main.swift:1:1: error: <oops>\n\n"))

            // A page from before the swap is told at once; the problem still shows.
            let late = try TestClient(port: setup.frontPort)
            try late.send("GET /_hostctl/watch?v=0 HTTP/1.1\r\nHost: front.test\r\n\r\n")
            let first = try late.readThrough("data: main.swift:1:1: error: <oops>\n\n")
            #expect(first.contains("event: reload\ndata: 1\n\n"), "\(first)")
            // Pages stamped with the new version.
            #expect(try setup.get("/page").text.contains(Self.tag(1)))

            setup.refresh.close()
            #expect(try stream.readThrough("0\r\n\r\n").hasSuffix("0\r\n\r\n"), "the stream ends when the front shuts down")
        }
        await setup.stop()
    }
}

extension TestResponse {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

extension HTTPResponse {
    nonisolated(nonsending) func writeHTML(_ html: String) async throws {
        contentType = "text/html; charset=utf-8"
        try await write(html)
    }
}
