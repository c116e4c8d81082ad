import HostctlCore

/// Everything about one request and its response, as middleware and handlers see it.
///
/// A server reuses one context per connection for request after request (as Kestrel
/// does), so a context must not be kept after its request has completed.
///
/// ```swift
/// app.get("/hello/{name}") { context in
///     let name = context.routeValues["name"] ?? "world"
///     try await context.response.write("Hello, \(name)!")
/// }
/// ```
public final class HTTPContext {
    public let request: HTTPRequest
    public let response: HTTPResponse
    @exclusivity(unchecked) @usableFromInline var _connection: ConnectionInfo
    public var connection: ConnectionInfo {
        get { _connection }
        _modify { yield &_connection }
        set { _connection = newValue }
    }
    /// Fires when the client goes away or the request is aborted.
    public let requestAborted = AbortSignal()
    /// Values captured by the route template that matched (`{id}` → "42").
    @exclusivity(unchecked) @usableFromInline var _routeValues: RouteValues = RouteValues()
    public var routeValues: RouteValues {
        get { _routeValues }
        _modify { yield &_routeValues }
        set { _routeValues = newValue }
    }
    /// The environment the app runs in ("Development", "Production", …).
    @exclusivity(unchecked) @usableFromInline var _environmentName: String
    public var environmentName: String {
        get { _environmentName }
        _modify { yield &_environmentName }
        set { _environmentName = newValue }
    }
    /// The largest body this request may have; nil for no limit. Changeable until the body is read.
    @exclusivity(unchecked) @usableFromInline var _maxRequestBodySize: Int?
    public var maxRequestBodySize: Int? {
        get { _maxRequestBodySize }
        _modify { yield &_maxRequestBodySize }
        set { _maxRequestBodySize = newValue }
    }
    /// Set by the server once the body has been read from, after which the limit is fixed.
    @exclusivity(unchecked) @usableFromInline var _isMaxRequestBodySizeReadOnly: Bool = false
    public var isMaxRequestBodySizeReadOnly: Bool {
        get { _isMaxRequestBodySizeReadOnly }
        _modify { yield &_isMaxRequestBodySizeReadOnly }
        set { _isMaxRequestBodySizeReadOnly = newValue }
    }

    @exclusivity(unchecked) private var extraFeatures = FeatureCollection()
    /// Features the server sets once for the connection; `prepare` keeps them.
    @exclusivity(unchecked) private var connectionFeatures = FeatureCollection()
    @exclusivity(unchecked) private var itemStorage: [String: Any]?
    @exclusivity(unchecked) private var requestNumber: UInt64 = 0
    @exclusivity(unchecked) private var cachedTraceIdentifier: String?
    @exclusivity(unchecked) private var abortHandler: (() -> Void)?
    /// What the request log noted as the request began (see `HTTPRequestLog`).
    @exclusivity(unchecked) @usableFromInline var requestLogStart: HTTPRequestLog.Start?

    public init(request: HTTPRequest = HTTPRequest(), response: HTTPResponse = HTTPResponse(), connection: ConnectionInfo, environmentName: String = "Production") {
        self.request = request
        self.response = response
        self._connection = connection
        self._environmentName = environmentName
    }

    /// Per-request values middleware leaves for later middleware and handlers.
    public var items: [String: Any] {
        get { itemStorage ?? [:] }
        set { itemStorage = newValue }
    }

    /// "<connection id>:<request number in hex>", as Kestrel forms it.
    public var traceIdentifier: String {
        get {
            if let cachedTraceIdentifier { return cachedTraceIdentifier }
            let hex = String(requestNumber, radix: 16, uppercase: true)
            let identifier = connection.id + ":" + String(repeating: "0", count: max(0, 8 - hex.count)) + hex
            cachedTraceIdentifier = identifier
            return identifier
        }
        set { cachedTraceIdentifier = newValue }
    }

    /// Aborts the request: the connection is closed without finishing the response.
    public func abort() {
        requestAborted.fire()
        abortHandler?()
    }

    public var isDevelopment: Bool { environmentName.lowercased() == "development" }

    /// The features of this request: the standard ones answer from this context; others
    /// are whatever the server or middleware added.
    public var features: FeatureCollection {
        get {
            var collection = FeatureCollection { [unowned self] key in self.standardFeature(key) }
            collection.merge(extraFeatures)
            return collection
        }
        set { extraFeatures = newValue }
    }

    /// Adds or replaces a feature for this request.
    public func setFeature<Feature>(_ type: Feature.Type, _ value: Feature?) {
        extraFeatures.set(type, value)
    }

    /// Adds or replaces a feature for every request on this context (called by servers). A
    /// server reuses one context per connection, so a feature object that belongs to the
    /// connection is set once, not per request; features set with `setFeature` override it.
    public func setConnectionFeature<Feature>(_ type: Feature.Type, _ value: Feature?) {
        connectionFeatures.set(type, value)
    }

    /// The connection feature stored for `type` (as `setConnectionFeature` left it), found
    /// without assembling the whole feature collection: for middleware that keeps one
    /// feature object per connection and refills it on each request.
    func connectionFeature<Feature>(_ type: Feature.Type) -> Any? {
        connectionFeatures.entry(ObjectIdentifier(type))
    }

    private func standardFeature(_ key: ObjectIdentifier) -> Any? {
        switch key {
        case ObjectIdentifier(HTTPRequestFeature.self): request
        case ObjectIdentifier(HTTPResponseFeature.self): response
        case ObjectIdentifier(HTTPResponseBodyFeature.self): response.writer as? HTTPResponseBodyFeature
        case ObjectIdentifier(HTTPConnectionFeature.self): connection
        case ObjectIdentifier(TLSHandshakeFeature.self), ObjectIdentifier(TLSClientCertificateFeature.self):
            connection.tls == nil ? connectionFeatures.entry(key) : connection
        case ObjectIdentifier(HTTPRequestLifetimeFeature.self): self
        case ObjectIdentifier(HTTPMaxRequestBodySizeFeature.self): self
        case ObjectIdentifier(HTTPExtendedConnectFeature.self): self
        default: connectionFeatures.entry(key)
        }
    }

    /// What `abort()` calls to tear the connection down; set once by the server.
    public func setAbortHandler(_ handler: @escaping () -> Void) {
        abortHandler = handler
    }

    /// Ready for the next request on a reused context (called by servers).
    public func prepare(requestNumber: UInt64, maxRequestBodySize: Int?) {
        self.requestNumber = requestNumber
        self.maxRequestBodySize = maxRequestBodySize
        isMaxRequestBodySizeReadOnly = false
        if cachedTraceIdentifier != nil { cachedTraceIdentifier = nil }
        routeValues.removeAll()
        requestAborted.reset()
        response.reset()
        if itemStorage != nil { itemStorage = nil }
        extraFeatures.removeAll()
    }

    /// Breaks the links to the server once the connection is done with this context.
    public func detach() {
        abortHandler = nil
        request.detach()
        response.writer = nil
    }
}

extension HTTPContext: HTTPRequestLifetimeFeature, HTTPMaxRequestBodySizeFeature {
    public var isReadOnly: Bool { isMaxRequestBodySizeReadOnly }
}

extension FeatureCollection {
    mutating func merge(_ other: FeatureCollection) {
        for (key, value) in other.allEntries { setEntry(key, value) }
    }
}
