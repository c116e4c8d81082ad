/// Requests a server turns away, with the status Kestrel answers each with: the bad-input
/// table, shared by the servers' tests and the front's (which must answer them the same at
/// its edge).
public enum BadRequests {
    /// Heads the parser refuses: (what is wrong, the request, the status).
    public static let heads: [(String, String, Int)] = [
        ("garbage request line", "GARBAGE\r\n\r\n", 400),
        ("two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ("lowercase version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("request line too long", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("too many headers", "GET / HTTP/1.1\r\nHost: a\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),
        ("headers too long", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 33000) + "\r\n\r\n", 431),
        ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("bad Host characters", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("absolute-form authority differs from Host", "GET http://other/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("asterisk-form with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        ("authority-form with GET", "GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 405),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", 400),
        ("space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400),
        ("bare CR in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n", 400),
        ("NUL in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u{0}2\r\n\r\n", 400),
        ("control character in a value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u{1}2\r\n\r\n", 400),
        ("bare LF line ends", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("bad name character", "GET / HTTP/1.1\r\nHost: a\r\nX(A): 1\r\n\r\n", 400),
        ("Content-Length with a sign", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", 400),
        ("two Content-Lengths", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
        ("Content-Length list", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", 400),
        ("Content-Length overflow", "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("final coding not chunked", "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("HTTP/1.0 POST without length", "POST /echo HTTP/1.0\r\n\r\n", 400),
        ("target with a space byte", "GET /a\u{7F}b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("target not origin-form", "GET ?x=1 HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("TLS handshake on a plain port", "\u{16}\u{3}\u{1}\u{0}\u{5}hello", 400),
    ]

    /// Chunked bodies whose framing is bad, found while the body is read (400): (what is
    /// wrong, the body after a `Transfer-Encoding: chunked` head).
    public static let chunkedBodies: [(String, String)] = [
        ("chunk size not hex", "zz\r\nhello\r\n0\r\n\r\n"),
        ("chunk size overflow", "100000000\r\n"),
        ("lone LF in a chunk extension", "5;a\nb\r\nhello\r\n0\r\n\r\n"),
        ("lone CR in a chunk extension", "5;a\rb\r\nhello\r\n0\r\n\r\n"),
        ("bad chunk suffix", "5\r\nhelloXX0\r\n\r\n"),
    ]

    /// The requests RFC 9112 says end their connection after the response (§9.6, §6.1), each
    /// with nothing after it yet: a test pipelines a request behind, which must go unanswered.
    public static let closingRequests: [(String, String)] = [
        ("Connection: close", "GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
        ("Content-Length then Transfer-Encoding", "POST /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("Transfer-Encoding then Content-Length", "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
    ]
}
