import __NAME__App
import Hostctl
import Testing

@Suite struct AppTests {
    func app() -> ApplicationBuilder {
        let app = ApplicationBuilder()
        configure(app)
        return app
    }

    @Test func home() async throws {
        let response = try await app().respond(to: .get, "/")
        #expect(response.status == 200)
        #expect(response.text == "Hello from __NAME__!\n")
        #expect(response.headers["Server-Timing"] != nil)
    }

    @Test func greeting() async throws {
        let response = try await app().respond(to: .get, "/hello/Ada")
        #expect(response.text == "Hello, Ada!\n")
        #expect(response.headers["Content-Type"] == "text/plain; charset=utf-8")
    }

    @Test func about() async throws {
        let response = try await app().respond(to: .get, "/about")
        #expect(response.headers["Content-Type"] == "application/json; charset=utf-8")
        #expect(response.text.hasPrefix(#"{"app":"__NAME__","environment":"#))
    }

    @Test func unknownPath() async throws {
        #expect(try await app().respond(to: .get, "/nowhere").status == 404)
    }
}
