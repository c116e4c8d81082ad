import Foundation
import HostctlSystem
import Testing

/// Each template from start to a served page: `hostctl new T -n Demo -o demo`, the
/// scaffold's own `swift test`, then `hostctl run --project demo` and real requests.
/// The scaffolds depend on this checkout by path (--hosting-source, since by default a
/// checkout with an origin remote would make them fetch it), so nothing is fetched.
@Suite struct TemplateScaffoldTests {
    static func scaffold(_ template: String) throws -> (root: String, package: String) {
        let root = try TemporaryDirectory.make("scaffold-\(template)")
        let created = try Hostctl.run(["new", template, "-n", "Demo", "-o", "demo", "--hosting-source", NewTests.repositoryRoot], in: root)
        guard created.exitCode == 0 else { throw FixtureError("hostctl new \(template) failed: \(created)") }
        return (root, FilePath.join(root, "demo"))
    }

    /// The scaffold's own tests pass.
    static func expectTestsPass(_ package: String) throws {
        guard let swift = ExecutableSearch.find("swift", path: Hostctl.baseEnvironment()["PATH"]) else {
            throw FixtureError("swift is not on the PATH")
        }
        let result = try Hostctl.runTool(swift, ["test"], in: package, environment: Hostctl.baseEnvironment(), timeout: 900)
        #expect(result.status.isSuccess, "swift test in the scaffold: \(result)")
    }

    @Test func web() async throws {
        try await offThePool { try Self.webScaffold() }
    }

    static func webScaffold() throws {
        let (_, package) = try Self.scaffold("web")
        try Self.expectTestsPass(package)
        var home = "", stylesheet = "", greeting = "", about = ""
        // Run from the package's folder, as its README says: the app's content root (where
        // appsettings.json and wwwroot are) is its working directory, as in ASP.NET.
        let result = try Hostctl.serving(["run", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: package) { base in
            home = try curl(["-s", "-i", base + "/"])
            stylesheet = try curl(["-s", "-i", base + "/css/site.css"])
            greeting = try curl(["-s", "-i", base + "/hello/Ada"])
            about = try curl(["-s", base + "/about"])
        }
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("Using launch settings from \(package)/launchSettings.json..."))
        #expect(result.stdout.contains("Hosting environment: Development"), "the profile's HOSTCTL_ENVIRONMENT")
        // `/` is wwwroot/index.html, which links the stylesheet; both are served from wwwroot.
        #expect(home.hasPrefix("HTTP/1.1 200 OK\r\n") && home.contains("Content-Type: text/html\r\n"), "\(home)")
        #expect(home.contains("<h1>Hello from Demo!</h1>") && home.contains(#"href="css/site.css""#), "\(home)")
        #expect(stylesheet.hasPrefix("HTTP/1.1 200 OK\r\n") && stylesheet.contains("Content-Type: text/css\r\n"), "\(stylesheet)")
        #expect(stylesheet.contains("ETag: \"") && stylesheet.contains("Last-Modified: "), "\(stylesheet)")
        #expect(greeting.contains("Server-Timing: app;dur="), "the middleware ran: \(greeting)")
        #expect(greeting.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), "\(greeting)")
        #expect(greeting.hasSuffix("\r\n\r\nHello, Ada!\n"), "\(greeting)")
        #expect(about == #"{"app":"Demo","environment":"Development"}"#)
        // Its requests in the log, in ASP.NET Core's format (appsettings.json lets them through).
        #expect(result.stdout.contains("info: Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware[1]\n      GET /css/site.css HTTP/1.1 200 "), "\(result)")
        #expect(result.stdout.contains("      GET / HTTP/1.1 200 "), "\(result)")

        // The scaffold's proxied profile: the front owns the public URL and starts the app
        // behind it on the first request.
        var proxiedHome = "", proxiedAbout = ""
        let proxied = try Hostctl.serving(["run", "-lp", "proxied", "--no-build", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: package) { base in
            proxiedHome = try curl(["-s", "-i", base + "/"])
            proxiedAbout = try curl(["-s", base + "/about"])
        }
        #expect(proxied.exitCode == 0, "\(proxied)")
        #expect(proxied.stdout.contains("Forwarding to: "), "\(proxied)")
        #expect(proxiedHome.hasPrefix("HTTP/1.1 200 OK\r\n") && proxiedHome.contains("<h1>Hello from Demo!</h1>"), "\(proxiedHome)")
        #expect(proxiedAbout == #"{"app":"Demo","environment":"Development"}"#)
    }

    @Test func api() async throws {
        try await offThePool { try Self.apiScaffold() }
    }

    static func apiScaffold() throws {
        let (root, package) = try Self.scaffold("api")
        try Self.expectTestsPass(package)
        var responses: [String] = []
        let result = try Hostctl.serving(["run", "--project", "demo", "-e", "HOSTCTL_URLS=http://127.0.0.1:0"], in: root) { base in
            func send(_ method: String, _ path: String, _ body: String? = nil) throws {
                var arguments = ["-s", "-i", "-X", method, base + path]
                if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
                responses.append(try curl(arguments))
            }
            try send("POST", "/items", #"{"name": "apple", "quantity": 3}"#)
            try send("GET", "/items/1")
            try send("POST", "/items", #"{"name": "Apple", "quantity": 1}"#)
            try send("POST", "/items", #"{"name": "pear"}"#)
            try send("PUT", "/items/1", #"{"name": "apple", "quantity": 5}"#)
            try send("GET", "/items")
            try send("DELETE", "/items/1")
            try send("GET", "/items/1")
            try send("GET", "/items/abc")
        }
        #expect(result.exitCode == 0, "\(result)")
        try #require(responses.count == 9, "\(result)")
        #expect(responses[0].hasPrefix("HTTP/1.1 201 Created\r\n"), "\(responses[0])")
        #expect(responses[0].contains("Location: /items/1\r\n"))
        #expect(responses[0].hasSuffix(#"{"id":1,"name":"apple","quantity":3}"#))
        #expect(responses[1].hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(responses[2].hasPrefix("HTTP/1.1 409 Conflict\r\n"), "\(responses[2])")
        #expect(responses[3].hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(responses[3])")
        #expect(responses[3].contains("quantity"), "the 400 says what is wrong: \(responses[3])")
        #expect(responses[4].hasSuffix(#"{"id":1,"name":"apple","quantity":5}"#))
        #expect(responses[5].hasSuffix(#"[{"id":1,"name":"apple","quantity":5}]"#))
        #expect(responses[6].hasPrefix("HTTP/1.1 204 No Content\r\n"))
        #expect(responses[7].hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(responses[7].hasSuffix(#"{"error":"no item 1"}"#), "\(responses[7])")
        #expect(responses[8].hasPrefix("HTTP/1.1 404 Not Found\r\n"), "\(responses[8])")
        #expect(responses[8].contains("\r\nContent-Type: application/json; charset=utf-8\r\n"), "the same JSON 404: \(responses[8])")
        #expect(responses[8].hasSuffix(#"{"error":"no item abc"}"#), "\(responses[8])")
    }

    @Test func empty() async throws {
        try await offThePool { try Self.emptyScaffold() }
    }

    static func emptyScaffold() throws {
        let (root, package) = try Self.scaffold("empty")
        try Self.expectTestsPass(package)
        let plain = try Hostctl.run(["run", "--project", "demo"], in: root)
        #expect(plain.exitCode == 0, "\(plain)")
        #expect(plain.stdoutLines.contains("Hello from Demo!"), "\(plain)")
        let withArguments = try Hostctl.run(["run", "--project", "demo", "--no-build", "--", "Ada", "Lovelace"], in: root)
        #expect(withArguments.stdoutLines.contains("Hello from Demo, with Ada Lovelace!"), "\(withArguments)")
        // A console app has no web profiles to pick by mistake.
        let proxied = try Hostctl.run(["run", "--project", "demo", "--no-build", "-lp", "proxied"], in: root)
        #expect(proxied.exitCode == 0, "\(proxied)")
        #expect(proxied.stderr.contains("A launch profile with the name 'proxied' doesn't exist.\nThe profiles in \(package)/launchSettings.json: 'Demo'."), "\(proxied)")
        #expect(proxied.stdoutLines.contains("Hello from Demo!"), "\(proxied)")
    }
}
