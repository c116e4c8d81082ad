import HostctlCore
import HostctlHTTP1
import Testing

/// The four request-target forms and the methods they allow (RFC 9112 §3.2).
@Suite struct HTTP1RequestTargetParserTests {
    @Test func originForm() throws {
        let parsed = try #require(expectHead("GET /a/b?c=d&e=f?g HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(parsed.head.targetForm == .origin)
        #expect(parsed.target == "/a/b?c=d&e=f?g")
        #expect(parsed.path == "/a/b")
        #expect(parsed.query == "c=d&e=f?g")
        #expect(parsed.authority == nil)
    }

    @Test func emptyQueryIsNotNoQuery() throws {
        let parsed = try #require(expectHead("GET /a? HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(parsed.path == "/a")
        #expect(parsed.query == "")
    }

    @Test func absoluteForm() throws {
        let parsed = try #require(expectHead("GET http://example.com/a/b?q=1 HTTP/1.1\r\nHost: example.com\r\n\r\n"))
        #expect(parsed.head.targetForm == .absolute)
        #expect(parsed.authority == "example.com")
        #expect(parsed.path == "/a/b")
        #expect(parsed.query == "q=1")
    }

    @Test func absoluteFormWithoutPath() throws {
        let parsed = try #require(expectHead("GET https://Example.COM:8443 HTTP/1.1\r\nHost: example.com:8443\r\n\r\n"))
        #expect(parsed.authority == "Example.COM:8443")
        #expect(parsed.path == "")
        #expect(parsed.query == nil)
        let withQuery = try #require(expectHead("GET http://x?y HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(withQuery.path == "" && withQuery.query == "y")
    }

    @Test(arguments: ["ftp://x/", "coap+tcp://x/a", "web-socket.v2://x/", "HTTP://x/"])
    func otherSchemesAreAccepted(_ target: String) {
        #expect(expectHead("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n")?.authority == "x")
    }

    @Test func absoluteFormOverHTTP10WithoutHost() throws {
        let parsed = try #require(expectHead("GET http://x:81/p HTTP/1.0\r\n\r\n"))
        #expect(parsed.authority == "x:81" && parsed.host == nil)
    }

    @Test(arguments: ["http:///a", "http://", "http://?q", "http://user@x/", "http://x\"y/", "http://x{/"])
    func malformedAbsoluteFormIsRejected(_ target: String) {
        expectFailure("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestTarget)
    }

    @Test(arguments: ["example.com:443", "[::1]:8080", "127.0.0.1:1", "a:0"])
    func authorityFormWithConnect(_ target: String) throws {
        let parsed = try #require(expectHead("CONNECT \(target) HTTP/1.1\r\nHost: \(target)\r\n\r\n"))
        #expect(parsed.head.targetForm == .authority)
        #expect(parsed.authority == target)
        #expect(parsed.head.path == parsed.head.target.lowerBound..<parsed.head.target.lowerBound)
        #expect(parsed.query == nil)
    }

    @Test func authorityFormNeedsConnect() {
        expectFailure("GET example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", .connectMethodRequired)
        expectFailure("POST [::1]:80 HTTP/1.1\r\nHost: x\r\n\r\n", .connectMethodRequired)
    }

    @Test(arguments: ["/", "/a", "*", "http://x/", "example.com", "example.com:", ":443", "[::1]", "[]:80", "x:80/a", "x:8a"])
    func connectNeedsAuthorityForm(_ target: String) {
        expectFailure("CONNECT \(target) HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestTarget)
    }

    @Test func asteriskForm() throws {
        let parsed = try #require(expectHead("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(parsed.head.targetForm == .asterisk)
        #expect(parsed.target == "*")
        #expect(parsed.head.path == parsed.head.target.lowerBound..<parsed.head.target.lowerBound)
        #expect(parsed.authority == nil && parsed.query == nil)
    }

    @Test func asteriskFormNeedsOptions() {
        expectFailure("GET * HTTP/1.1\r\nHost: x\r\n\r\n", .optionsMethodRequired)
        expectFailure("DELETE * HTTP/1.1\r\nHost: x\r\n\r\n", .optionsMethodRequired)
        expectFailure("OPTIONS *x HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestTarget)
        expectFailure("OPTIONS ** HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestTarget)
    }

    @Test func optionsMayUseOtherForms() {
        #expect(expectHead("OPTIONS /a HTTP/1.1\r\nHost: x\r\n\r\n")?.head.targetForm == .origin)
    }

    @Test(arguments: ["?a", "%2F", "a/b", "a", "#x", "\\a", "1.2.3.4"])
    func targetsInNoFormAreRejected(_ target: String) {
        expectFailure("GET \(target) HTTP/1.1\r\nHost: x\r\n\r\n", .invalidRequestTarget)
    }
}
