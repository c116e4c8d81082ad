import Hostctl
@testable import HostctlFront
import HostctlHTTP1
import Testing

/// The forwarded head and the hop-by-hop rules on their own, without sockets: headers as the
/// app would see them after middleware edited them (not from a server's buffer).
@Suite struct ForwardedRequestHeadTests {
    private func forwardedHead(
        method: HTTPMethod = .get, target: String = "/a?b=1", headers: [(String, String)],
        client: SocketAddress? = .ipv4(address: 0x0A00_0002, port: 40000), framing: HTTP1BodyFraming = .none
    ) throws -> [String] {
        let request = HTTPRequest(method: method, path: target, headers: HTTPFields(headers))
        request.rawTarget = target
        let context = HTTPContext(request: request, connection: ConnectionInfo(id: "test", local: nil, remote: client))
        let out = ByteBuffer()
        try ForwardedRequestHead.write(
            context, endpoint: AppEndpoint(port: 5001, token: "tok", generation: 1), framing: framing,
            forwardedFor: ByteBuffer(), forwardedProto: ByteBuffer(), into: out
        )
        let text = String(decoding: out.readableArray, as: UTF8.self)
        #expect(text.hasSuffix("\r\n\r\n"))
        return text.components("\r\n").filter { !$0.isEmpty }
    }

    @Test func editedHeadersFollowTheSameRules() throws {
        let lines = try forwardedHead(
            headers: [
                ("Host", "example.com"), ("Connection", "close, X-Secret"), ("X-Secret", "1"), ("x-forwarded-for", "1.1.1.1"),
                ("X-Forwarded-For", "2.2.2.2"), ("Expect", "100-continue"), ("Content-Length", "9"), ("X-Hostctl-Token", "forged"),
                ("Accept", "text/html"),
            ],
            framing: .contentLength(3)
        )
        #expect(lines == [
            "GET /a?b=1 HTTP/1.1",
            "Host: example.com",
            "X-Forwarded-Host: example.com",
            "Accept: text/html",
            "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.2:40000",
            "X-Forwarded-Proto: http",
            "x-hostctl-token: tok",
            "Content-Length: 3",
        ])
    }

    @Test func ipv6ClientsAreBracketedWithTheirPort() throws {
        let lines = try forwardedHead(headers: [("Host", "h")], client: .ipv6(high: 0, low: 1, port: 5555, scopeID: 0))
        #expect(lines.contains("X-Forwarded-For: [::1]:5555"))
    }

    @Test func aRequestWithoutHostGetsTheAppsAddress() throws {
        let lines = try forwardedHead(headers: [], framing: .chunked)
        #expect(lines.contains("Host: 127.0.0.1:5001"))
        #expect(!lines.contains { $0.hasPrefix("X-Forwarded-Host") })
        #expect(lines.last == "Transfer-Encoding: chunked")
    }

    @Test func aValueEditedToHoldALineBreakIsRefused() {
        #expect(throws: HTTP1SerializationError(.invalidFieldValue(name: "X-Evil"))) {
            try forwardedHead(headers: [("Host", "h"), ("X-Evil", "a\r\nInjected: yes")])
        }
    }

    @Test func hopByHopNames() {
        for name in ["Connection", "keep-alive", "PROXY-CONNECTION", "te", "Trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "Proxy-Authorization"] {
            #expect(Array(name.utf8).withUnsafeBytes { HopByHopFields.contains($0) }, "\(name)")
        }
        for name in ["Trailers", "Content-Length", "Host", "X-Connection", "t"] {
            #expect(!Array(name.utf8).withUnsafeBytes { HopByHopFields.contains($0) }, "\(name)")
        }
    }

    @Test func connectionOptionsNameFieldsButNotThemselves() {
        var options = ConnectionOptionNames()
        Array(" close ,X-One,, x-two\t, keep-alive".utf8).withUnsafeBytes { options.add(listedIn: $0) }
        func has(_ name: String) -> Bool { Array(name.utf8).withUnsafeBytes { options.contains($0) } }
        #expect(has("x-one") && has("X-TWO"))
        #expect(!has("close") && !has("keep-alive") && !has("x-three") && !has(""))
    }
}
