import HostctlCore

/// The request as the app sees it. Values are read lazily from the server's buffer and
/// kept once read; middleware may change any of them (the forwarded-headers middleware
/// sets `scheme`, `host`, `remote address` and `pathBase` this way).
public final class HTTPRequest {
    @exclusivity(unchecked) @usableFromInline var _method: HTTPMethod = .get
    public var method: HTTPMethod {
        get { _method }
        _modify { yield &_method }
        set { _method = newValue }
    }
    @exclusivity(unchecked) @usableFromInline var _httpVersion: HTTPVersion = .http1_1
    public var httpVersion: HTTPVersion {
        get { _httpVersion }
        _modify { yield &_httpVersion }
        set { _httpVersion = newValue }
    }
    /// "http" or "https".
    @exclusivity(unchecked) @usableFromInline var _scheme: String = "http"
    public var scheme: String {
        get { _scheme }
        _modify { yield &_scheme }
        set { _scheme = newValue }
    }
    /// The part of the path that selected this app or branch ("" or "/app"); `path` is the rest.
    @exclusivity(unchecked) @usableFromInline var _pathBase: String = ""
    public var pathBase: String {
        get { _pathBase }
        _modify { yield &_pathBase }
        set { _pathBase = newValue }
    }
    @exclusivity(unchecked) @usableFromInline var _body: RequestBody = RequestBody(reader: nil)
    public var body: RequestBody {
        get { _body }
        _modify { yield &_body }
        set { _body = newValue }
    }
    /// The declared length of the body, if the request declared one.
    @exclusivity(unchecked) @usableFromInline var _contentLength: Int?
    public var contentLength: Int? {
        get { _contentLength }
        _modify { yield &_contentLength }
        set { _contentLength = newValue }
    }
    /// Trailer fields of a chunked body, once the body has been read to its end.
    @exclusivity(unchecked) @usableFromInline var _trailers: HTTPFields = HTTPFields()
    public var trailers: HTTPFields {
        get { _trailers }
        _modify { yield &_trailers }
        set { _trailers = newValue }
    }

    @exclusivity(unchecked) var source: RequestHeadSource?
    @exclusivity(unchecked) private var cachedPath: String?
    @exclusivity(unchecked) private var cachedQueryString: String?
    @exclusivity(unchecked) private var cachedRawTarget: String?
    @exclusivity(unchecked) private var cachedHost: String?
    @exclusivity(unchecked) private var cachedQuery: QueryParameters?
    @exclusivity(unchecked) private var headerStorage = RequestHeaders()

    public init() {}

    /// A request built by hand (tests, custom servers).
    public init(method: HTTPMethod, path: String, queryString: String = "", headers: HTTPFields = HTTPFields()) {
        self.method = method
        self.cachedPath = path
        self.cachedQueryString = queryString
        self.headerStorage = RequestHeaders(headers)
    }

    /// "HTTP/1.1".
    public var `protocol`: String { httpVersion.description }

    /// The percent-decoded path ("/users/42"), without `pathBase`.
    public var path: String {
        get {
            if let cachedPath { return cachedPath }
            let decoded = source.map { source in source.withRawPath { source.decodePath($0) } } ?? "/"
            let path = decoded.isEmpty ? "/" : decoded
            cachedPath = path
            return path
        }
        set { cachedPath = newValue }
    }

    /// "?a=1&b=2" as sent, or "" without a query (as ASP.NET's QueryString).
    public var queryString: String {
        get {
            if let cachedQueryString { return cachedQueryString }
            let query: String = source?.withRawQuery { raw in raw.map { "?" + String(decoding: $0, as: UTF8.self) } ?? "" } ?? ""
            cachedQueryString = query
            return query
        }
        set {
            cachedQueryString = newValue
            cachedQuery = nil
        }
    }

    /// The query's parameters, decoded.
    public var query: QueryParameters {
        if let cachedQuery { return cachedQuery }
        let parsed = QueryParameters(queryString)
        cachedQuery = parsed
        return parsed
    }

    /// The request-target exactly as it arrived.
    public var rawTarget: String {
        get {
            if let cachedRawTarget { return cachedRawTarget }
            let raw = source?.withRawTarget { String(decoding: $0, as: UTF8.self) } ?? (path + queryString)
            cachedRawTarget = raw
            return raw
        }
        set { cachedRawTarget = newValue }
    }

    /// The Host header's value ("localhost:5000"), or "" without one.
    public var host: String {
        get {
            if let cachedHost { return cachedHost }
            let host = headers["Host"] ?? ""
            cachedHost = host
            return host
        }
        set { cachedHost = newValue }
    }

    public var headers: RequestHeaders {
        get { headerStorage }
        set { headerStorage = newValue }
    }

    public var contentType: String? { headers["Content-Type"] }

    /// Drops the server's buffers once the request is over, so a context kept past its
    /// request cannot pin the connection.
    public func detach() {
        source = nil
        body = RequestBody(reader: nil)
    }

    /// Prepares a reused request for the next one the server parsed into `source`.
    /// `scheme` is the connection's: "https" over TLS, else "http".
    public func reset(source: RequestHeadSource, method: HTTPMethod, version: HTTPVersion, scheme: String = "http", contentLength: Int?, body: RequestBodyReader?) {
        // `detach()` let go of the source and the body reader as the last request ended.
        self.source = source
        self.method = method
        self.httpVersion = version
        self.contentLength = contentLength
        self.body = RequestBody(reader: body)
        self.scheme = scheme
        if !pathBase.isEmpty { pathBase = "" }
        // Most requests read few of these; clearing only what was set saves a release each.
        if cachedPath != nil { cachedPath = nil }
        if cachedQueryString != nil { cachedQueryString = nil }
        if cachedRawTarget != nil { cachedRawTarget = nil }
        if cachedHost != nil { cachedHost = nil }
        if cachedQuery != nil { cachedQuery = nil }
        // The header view outlives `detach()`: usually it reads this source already, and
        // storing it again would retain the new and release the old, for nothing.
        if !headerStorage.isUnchangedView(of: source) { headerStorage = RequestHeaders(source: source) }
        if !trailers.isEmpty { trailers.removeAll(keepingCapacity: true) }
    }
}

/// A decoded query string: `?a=1&b=x%20y&a=2` → a: ["1", "2"], b: ["x y"].
public struct QueryParameters: Sendable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init(_ queryString: String) {
        let query = queryString.hasPrefix("?") ? queryString.dropFirst() : Substring(queryString)
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(pieces[0])
            let value = pieces.count > 1 ? Self.decode(pieces[1]) : ""
            pairs.append((name, value))
        }
    }

    /// The first value of `name`.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    public func values(for name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// `+` as space and %XX escapes (application/x-www-form-urlencoded).
    static func decode(_ text: Substring) -> String {
        guard text.contains(where: { $0 == "%" || $0 == "+" }) else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                      let high = hexValue(iterator[iterator.startIndex]), let low = hexValue(iterator[iterator.startIndex + 1]) {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
