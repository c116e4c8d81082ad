import __NAME__App
import Hostctl
import Testing

@Suite struct AppTests {
    func app() -> ApplicationBuilder {
        let app = ApplicationBuilder()
        configure(app)
        return app
    }

    @Test func homeIsThePageInWwwroot() async throws {
        let response = try await app().respond(to: .get, "/")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/html")
        #expect(response.text.contains("<h1>Hello from __NAME__!</h1>"))
        #expect(response.text.contains(#"<link rel="stylesheet" href="css/site.css">"#))
    }

    @Test func stylesheet() async throws {
        let response = try await app().respond(to: .get, "/css/site.css")
        #expect(response.status == 200)
        #expect(response.headers["Content-Type"] == "text/css")
        #expect(response.headers["ETag"] != nil)
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
