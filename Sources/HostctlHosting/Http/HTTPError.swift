/// An error that says which status to answer with when it escapes a handler before the
/// response has started. Throw one to end a request with 404, 409, …:
///
/// ```swift
/// guard let user = users[id] else { throw HTTPError(.notFound) }
/// ```
public protocol HTTPResponseError: Error {
    var status: Int { get }
    /// Text for the developer exception page and logs; nil to describe the error.
    var message: String? { get }
}

/// A plain error carrying a status and an optional message.
public struct HTTPError: HTTPResponseError, CustomStringConvertible, Equatable {
    public let status: Int
    public let message: String?

    public init(_ status: Int, _ message: String? = nil) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status)\(message.map { ": \($0)" } ?? "")" }

    public static let notFound = 404

    /// The status any error escaping a handler becomes: an `HTTPResponseError`'s own, else 500.
    public static func status(for error: any Error) -> Int {
        (error as? any HTTPResponseError)?.status ?? 500
    }
}

/// A request the server rejects while the app reads it (body too large, too slow,
/// cut short). The server answers with `status` and closes the connection.
public struct BadRequestError: HTTPResponseError, CustomStringConvertible {
    public let status: Int
    public let message: String?

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message ?? "Bad request (\(status))" }
}

/// The client is gone: reads and writes on its request fail with this.
public struct ConnectionAbortedError: Error, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
