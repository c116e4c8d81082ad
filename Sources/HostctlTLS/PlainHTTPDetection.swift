import HostctlCore

/// Plain HTTP sent to a TLS endpoint, recognised from the first byte and answered.
///
/// A TLS connection starts with a record whose first byte is its content type (22 for the
/// ClientHello; 20–24 are the only types), and every HTTP/1.x request starts with a method
/// token in capitals. So one byte tells them apart, and no split of the input can fool it.
///
/// The answer is nginx's, not Kestrel's: Kestrel drops the connection, and a browser pointed at
/// `http://localhost:7123` (the https port of a template's profile, one digit away from the
/// http one) shows only "empty response". A 400 saying what happened costs nothing and tells the
/// developer the fix, the mirror of Kestrel's own 400 for TLS sent to a plain port.
/// Nothing reaches the app either way.
public enum PlainHTTPDetection {
    /// True when `firstByte` cannot start a TLS record but does start an HTTP request.
    @inlinable
    public static func isPlainHTTP(firstByte: UInt8) -> Bool {
        firstByte >= UInt8(ascii: "A") && firstByte <= UInt8(ascii: "Z")
    }

    static let message = "Detected a plain HTTP request to an endpoint that has TLS enabled: use https:// in the URL.\n"

    /// The whole response: the connection closes after it.
    public static let response: [UInt8] = Array((
        "HTTP/1.1 400 Bad Request\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "Content-Length: \(message.utf8.count)\r\n"
            + "Connection: close\r\n\r\n"
            + message
    ).utf8)
}
