import HostctlTestSupport
import Hostctl
import HostctlFront
import Testing

/// The front speaks HTTP/2 to clients (h2c here; TLS once the front serves https) and
/// HTTP/1.1 to the app, as IIS out of process does: many client streams at once share its
/// pool of app connections.
@Suite struct FrontHTTP2Tests {
    @Test(arguments: FrontServer.allCases) func streamsThroughTheFrontReachTheAppOverHTTP1(_ server: FrontServer) async throws {
        let app = try await TestApp()
        let front = try await TestFront(server, source: TestEndpointSource(app.endpoint))
        let client = try HTTP2TestClient(port: front.port)
        try client.start()
        let session = client.session
        try client.send(
            session.request(1, path: "/declared"), session.request(3, path: "/streamed"), session.request(5, path: "/trailers"),
            session.request(7, path: "/headers"), session.request(9, method: "POST", path: "/echo", endStream: false)
        )
        try client.send(HTTP2TestFrame.data(9, Array("hello through the front".utf8), endStream: true))
        try client.readUntil { session in [1, 3, 5, 7, 9].allSatisfy { session.responses[$0]?.ended == true } }
        let responses = session.responses
        #expect(responses[1]?.text == "12345" && responses[1]?.header("content-length") == "5")
        #expect(responses[3]?.text == "part one, part two")
        #expect(responses[5]?.text == "body" && responses[5]?.trailers.first?.value == "abc", "trailers cross from HTTP/1.1 chunks to HTTP/2")
        #expect(responses[9]?.text == "hello through the front")
        let seen = responses[7]?.text ?? ""
        #expect(seen.contains("host: localhost"), "the app gets a Host from :authority: \(seen)")
        #expect(app.seen.requests == 5)
        await front.stop()
        await app.stop()
    }
}
