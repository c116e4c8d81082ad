import Hostctl

/// A problem in the answer's body: `{"error": "..."}`.
struct ErrorBody: Encodable {
    let error: String
}

/// Adds the API's routes to `app`: a JSON API over `store`.
///
/// GET /items, POST /items (201 + Location), GET /items/{id}, PUT /items/{id},
/// DELETE /items/{id} (204); 400 for a body that is not a valid item, 404 for an unknown
/// id, 409 for a name that is taken.
public func configure(_ app: ApplicationBuilder, store: ItemStore = ItemStore()) {
    app.get("/items") { context in
        try await context.response.writeJSON(store.all())
    }

    app.post("/items") { context in
        guard let input = try await validInput(context) else { return }
        switch store.create(input) {
        case .success(let item):
            context.response.headers["Location"] = "\(context.request.pathBase)/items/\(item.id)"
            try await context.response.writeJSON(item, status: 201)
        case .failure:
            try await context.response.writeJSON(ErrorBody(error: "an item named '\(input.name)' exists"), status: 409)
        }
    }

    // {id}, not {id:int}: an id that is not a number is a missing item too, and gets
    // the same JSON 404 as any other.
    app.get("/items/{id}") { context in
        guard let item = id(context).flatMap(store.item) else { return try await notFound(context) }
        try await context.response.writeJSON(item)
    }

    app.put("/items/{id}") { context in
        guard let input = try await validInput(context) else { return }
        guard let id = id(context) else { return try await notFound(context) }
        switch store.update(id, input) {
        case .success(let item):
            try await context.response.writeJSON(item)
        case .failure(.notFound):
            try await notFound(context)
        case .failure(.duplicateName):
            try await context.response.writeJSON(ErrorBody(error: "an item named '\(input.name)' exists"), status: 409)
        }
    }

    app.delete("/items/{id}") { context in
        guard let id = id(context), store.delete(id) else { return try await notFound(context) }
        context.response.status = 204
    }
}

/// The route's id, or nil when it is not a number.
private func id(_ context: HTTPContext) -> Int? {
    context.routeValues["id"].flatMap { Int($0) }
}

private func notFound(_ context: HTTPContext) async throws {
    try await context.response.writeJSON(ErrorBody(error: "no item \(context.routeValues["id"] ?? "")"), status: 404)
}

/// The request's item, or nil after answering 400 with what is wrong.
private func validInput(_ context: HTTPContext) async throws -> ItemInput? {
    let input: ItemInput
    do {
        input = try await context.request.decodeJSON(ItemInput.self)
    } catch let error as HTTPError {
        try await context.response.writeJSON(ErrorBody(error: error.message ?? "invalid JSON"), status: 400)
        return nil
    }
    if let problem = input.problem {
        try await context.response.writeJSON(ErrorBody(error: problem), status: 400)
        return nil
    }
    return input
}
