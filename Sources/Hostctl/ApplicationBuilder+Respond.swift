import HostctlHosting
import HostctlServerCore

extension ApplicationBuilder {
    /// Runs one request through this pipeline in memory, with no server and no socket, under
    /// the rules the servers apply (HEAD, 204 and 304 without a body, Content-Length checked,
    /// an error turned into its status): for an app's own unit tests, as ASP.NET's TestServer.
    /// Throws `ConnectionAbortedError` where a server would cut the connection.
    ///
    /// ```swift
    /// let app = ApplicationBuilder()
    /// configure(app)
    /// let response = try await app.respond(to: .get, "/hello?name=Ada")
    /// #expect(response.status == 200)
    /// ```
    public func respond(
        to method: HTTPMethod, _ target: String, headers: [(String, String)] = [], body: [UInt8] = [],
        environmentName: String = "Production"
    ) async throws -> RecordedResponse {
        try await InMemoryExchange.respond(
            to: method, target, headers: headers, body: body,
            application: HTTPApplication(environmentName: environmentName, requestLog: requestLog, entry: buildEntry())
        )
    }
}
