import Glibc
import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// Why the app did not answer a forwarded request; each becomes a short plain page from the
/// front (502 or 504) while the client's response has not started, and an aborted client
/// connection once it has.
enum ForwardingFailure: Error, CustomStringConvertible {
    /// The connection to the app could not be made (refused: the app is not listening).
    case connectFailed(errno: Int32)
    /// The connection to the app broke, or the app closed it, before the response was complete.
    case connectionLost(errno: Int32?)
    /// No response head within `ForwardingOptions.requestTimeout`.
    case timedOut(seconds: Int64)
    /// The app's response could not be read.
    case invalidResponse(HTTP1ResponseParseError)
    /// The app answered 101: the front never asks it to switch protocols.
    case unexpectedSwitchingProtocols
    /// The app's 101 to a WebSocket upgrade did not answer the front's key (Sec-WebSocket-Accept
    /// missing or wrong, or no `Upgrade: websocket`): the handshake failed (RFC 6455 §4.1).
    case webSocketNotAccepted
    /// No socket could be made for a new connection to the app (out of descriptors…).
    case noConnection(String)

    var status: Int {
        if case .timedOut = self { return 504 }
        return 502
    }

    /// Whether the process half should check on the app (it may have exited).
    var suggestsAppIsDown: Bool {
        switch self {
        case .connectFailed, .connectionLost: true
        default: false
        }
    }

    var description: String {
        switch self {
        case .connectFailed(let code): "could not connect to the app (\(String(cString: strerror(code))))"
        case .connectionLost(let code?): "the connection to the app broke (\(String(cString: strerror(code))))"
        case .connectionLost(nil): "the app closed the connection before its response was complete"
        case .timedOut(let seconds): "the app did not answer within \(seconds) s"
        case .invalidResponse(let error): "the app sent an invalid response (\(error))"
        case .unexpectedSwitchingProtocols: "the app switched protocols, which the front does not forward"
        case .webSocketNotAccepted: "the app's 101 did not accept the WebSocket handshake the front sent"
        case .noConnection(let reason): "could not open a connection to the app (\(reason))"
        }
    }

    /// "502 Bad Gateway\n\nThe front could not forward the request: <why>.\n"
    var page: String {
        "\(status) \(HTTPStatus.reasonPhrase(status))\n\nThe front could not forward the request: \(description).\n"
    }
}
