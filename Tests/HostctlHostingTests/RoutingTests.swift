import HostctlCore
@testable import HostctlHosting
import Testing

@Suite struct RoutingTests {
    func router(_ routes: [(String, [HTTPMethod]?, String)]) throws -> Router {
        let router = Router()
        for (template, methods, name) in routes {
            router.add(try RouteTemplate(template), methods: methods) { context in context.items["route"] = name }
        }
        return router
    }

    func match(_ router: Router, _ path: String, _ method: HTTPMethod = .get) async throws -> (String?, [(String, String)], Router.Match) {
        var values = RouteValues()
        let found = router.match(path: path, method: method, values: &values)
        var name: String?
        if case .handler(let box) = found {
            let context = HTTPContext(connection: ConnectionInfo(id: "t", local: nil, remote: nil))
            try await box.handler(context)
            name = context.items["route"] as? String
        }
        return (name, values.pairs.map { ($0.name, $0.value) }, found)
    }

    @Test func literalsParametersAndCatchAll() async throws {
        let router = try router([
            ("/", [.get], "root"),
            ("/users", [.get], "list"),
            ("/users/{id:int}", [.get], "byId"),
            ("/users/me", [.get], "me"),
            ("/users/{id}/posts/{slug?}", [.get], "posts"),
            ("/files/{*path}", [.get], "files"),
            ("/any", nil, "any"),
        ])
        #expect(try await match(router, "/").0 == "root")
        #expect(try await match(router, "/users").0 == "list")
        #expect(try await match(router, "/users/").0 == "list", "a trailing slash does not matter")
        #expect(try await match(router, "/USERS/ME").0 == "me", "literals ignore case")
        let byId = try await match(router, "/users/42")
        #expect(byId.0 == "byId")
        #expect(byId.1.map(\.1) == ["42"])
        #expect(try await match(router, "/users/abc").0 == nil, "the int constraint rejects; no other route fits")
        #expect(try await match(router, "/users/abc/posts").1.map(\.0) == ["id"])
        #expect(try await match(router, "/users/7/posts/hello").1.map(\.1) == ["7", "hello"])
        let files = try await match(router, "/files/a/b/c.txt")
        #expect(files.1.first?.1 == "a/b/c.txt")
        #expect(try await match(router, "/files").1.first?.1 == "", "catch-all may be empty")
        #expect(try await match(router, "/any", .delete).0 == "any")
    }

    @Test func methodNotAllowedListsTheMethods() throws {
        let router = try router([("/items", [.get], "get"), ("/items", [.post], "post")])
        var values = RouteValues()
        guard case .methodNotAllowed(let allowed) = router.match(path: "/items", method: .delete, values: &values) else {
            Issue.record("expected 405")
            return
        }
        #expect(allowed == [.get, .post, .head])
        guard case .handler = router.match(path: "/items", method: .head, values: &values) else {
            Issue.record("HEAD falls back to GET")
            return
        }
        guard case .notFound = router.match(path: "/other", method: .get, values: &values) else {
            Issue.record("expected 404")
            return
        }
    }

    @Test(arguments: [
        ("/a/{", "an unclosed parameter"),
        ("/a/{*rest}/b", "a catch-all parameter must be the last segment"),
        ("/a/{x?}/b", "only the last parameter may be optional"),
        ("/a/{x}/{x}", "appears twice"),
        ("/a/{x:uuid}", "an unknown constraint"),
        ("/a/b{x}", "mixes text and a parameter"),
        ("/a/{1x}", "an invalid parameter name"),
    ])
    func badTemplates(_ template: String, _ problem: String) {
        #expect(throws: RouteTemplateError.self) { try RouteTemplate(template) }
        do {
            _ = try RouteTemplate(template)
        } catch {
            #expect(error.description.contains(problem), "\(error)")
        }
    }
}

@Suite struct PipelineTests {
    func context(_ path: String, method: HTTPMethod = .get) -> HTTPContext {
        HTTPContext(request: HTTPRequest(method: method, path: path), connection: ConnectionInfo(id: "c", local: nil, remote: nil))
    }

    @Test func middlewareRunsInOrderAndCanShortCircuit() async throws {
        let builder = ApplicationBuilder()
        builder.use { context, next in
            context.items["trail"] = "a"
            try await next(context)
            context.items["trail"] = (context.items["trail"] as! String) + "z"
        }
        builder.use { context, next in
            if context.request.path == "/blocked" {
                context.response.status = 403
                return
            }
            context.items["trail"] = (context.items["trail"] as! String) + "b"
            try await next(context)
        }
        builder.get("/") { context in context.items["trail"] = (context.items["trail"] as! String) + "h" }
        // The same, as one closure and as a server runs it (the first layer apart).
        let entry = builder.buildEntry()
        #expect(entry.firstLayer != nil)
        for pipeline in [builder.build(), { try await entry.run($0) }] as [RequestHandler] {
            let ok = context("/")
            try await pipeline(ok)
            #expect(ok.items["trail"] as? String == "abhz")
            let blocked = context("/blocked")
            try await pipeline(blocked)
            #expect(blocked.response.status == 403)
            #expect(blocked.items["trail"] as? String == "az")
            let missing = context("/missing")
            try await pipeline(missing)
            #expect(missing.response.status == 404)
        }
        // Without middleware the entry is the router alone.
        let bare = ApplicationBuilder()
        bare.get("/") { try await $0.response.write("ok") }
        #expect(bare.buildEntry().firstLayer == nil)
    }

    @Test func mapBranchesByPathPrefix() async throws {
        let builder = ApplicationBuilder()
        builder.map("/api") { api in
            api.get("/items/{id}") { context in
                context.items["seen"] = "\(context.request.pathBase)|\(context.request.path)|\(context.routeValues["id"]!)"
            }
        }
        builder.get("/apiary") { context in context.items["seen"] = "apiary" }
        let pipeline = builder.build()
        let inside = context("/API/items/3")
        try await pipeline(inside)
        #expect(inside.items["seen"] as? String == "/api|/items/3|3")
        #expect(inside.request.path == "/API/items/3", "restored after the branch")
        let notPrefix = context("/apiary")
        try await pipeline(notPrefix)
        #expect(notPrefix.items["seen"] as? String == "apiary", "a prefix matches whole segments only")
        let branchMiss = context("/api/nothing")
        try await pipeline(branchMiss)
        #expect(branchMiss.response.status == 404)
    }
}
