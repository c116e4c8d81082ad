import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// What a connection needs only while it is busy: the parser, the current head, body and
/// response bookkeeping, and the reusable context. A connection that goes idle drops it,
/// so an idle keep-alive connection costs little more than its socket.
final class RequestState {
    @exclusivity(unchecked) var parser: HTTP1RequestHeadParser
    @exclusivity(unchecked) var head = HTTP1RequestHead()
    /// A complete head is parsed and not yet handed to the app.
    @exclusivity(unchecked) var headReady = false
    /// When the first byte of the head being read arrived (for the headers timeout).
    @exclusivity(unchecked) var headStartedAt: Int64?

    @exclusivity(unchecked) var body = BodyState()
    @exclusivity(unchecked) var response = ResponseState()
    @exclusivity(unchecked) var context: HTTPContext?

    init(limits: HTTP1Limits) {
        parser = HTTP1RequestHeadParser(limits: limits)
    }

    /// Ready for the next request (the head's storage keeps its capacity).
    func resetForNextRequest() {
        parser.reset()
        headReady = false
        headStartedAt = nil
        body = BodyState()
        response = ResponseState()
    }
}

/// Reading the current request's body out of the receive buffer.
struct BodyState {
    var decoder: HTTP1BodyDecoder?
    /// Absolute index in the receive buffer of the first byte not yet decoded.
    var cursor = 0
    /// Decoded body bytes not yet taken by the app (absolute indices).
    var pending: Range<Int> = 0..<0
    var delivered = 0
    var started = false
    var finished = false
    var continueSent = false
    var error: BadRequestError?
    var trailersCopied = false
    /// Min-rate accounting: time the app spent waiting for body bytes, and the connection's
    /// byte count when it started reading the body.
    var waitedNanoseconds: Int64 = 0
    var waitStartedAt: Int64?
    var receivedAtStart = 0
    /// When the response was done and the server started discarding an unread body.
    var drainStartedAt: Int64?
}

/// Writing the current response.
struct ResponseState {
    var committed = false
    var completed = false
    var chunked = false
    var noBody = false
    var isHead = false
    var declaredLength: Int?
    var written = 0
}
