import __NAME__App
import Hostctl
import Testing

@Suite struct ApiTests {
    func app() -> ApplicationBuilder {
        let app = ApplicationBuilder()
        configure(app)
        return app
    }

    func json(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func createReadUpdateDelete() async throws {
        let app = app()
        let created = try await app.respond(to: .post, "/items", body: json(#"{"name": "apple", "quantity": 3}"#))
        #expect(created.status == 201)
        #expect(created.headers["Location"] == "/items/1")
        #expect(created.text == #"{"id":1,"name":"apple","quantity":3}"#)

        #expect(try await app.respond(to: .get, "/items/1").status == 200)
        #expect(try await app.respond(to: .get, "/items").text == #"[{"id":1,"name":"apple","quantity":3}]"#)

        let updated = try await app.respond(to: .put, "/items/1", body: json(#"{"name": "apple", "quantity": 5}"#))
        #expect(updated.text == #"{"id":1,"name":"apple","quantity":5}"#)

        #expect(try await app.respond(to: .delete, "/items/1").status == 204)
        #expect(try await app.respond(to: .get, "/items/1").status == 404)
    }

    @Test func badInputIs400() async throws {
        let app = app()
        #expect(try await app.respond(to: .post, "/items", body: json("not json")).status == 400)
        let wrongType = try await app.respond(to: .post, "/items", body: json(#"{"name": 7, "quantity": 1}"#))
        #expect(wrongType.status == 400)
        #expect(wrongType.text.contains("name"))
        #expect(try await app.respond(to: .post, "/items", body: json(#"{"name": "  ", "quantity": 1}"#)).status == 400)
        #expect(try await app.respond(to: .post, "/items", body: json(#"{"name": "x", "quantity": -1}"#)).status == 400)
    }

    @Test func conflictsAndMissingItems() async throws {
        let app = app()
        _ = try await app.respond(to: .post, "/items", body: json(#"{"name": "pear", "quantity": 1}"#))
        #expect(try await app.respond(to: .post, "/items", body: json(#"{"name": "PEAR", "quantity": 2}"#)).status == 409)
        #expect(try await app.respond(to: .put, "/items/99", body: json(#"{"name": "plum", "quantity": 2}"#)).status == 404)
        #expect(try await app.respond(to: .delete, "/items/99").status == 404)
        let notANumber = try await app.respond(to: .get, "/items/abc")
        #expect(notANumber.status == 404)
        #expect(notANumber.text == #"{"error":"no item abc"}"#)
    }
}
