import HostctlHTTP1

/// What an HTTP/1.1 connection needs only while it is busy: the parser, the current head,
/// the body's and the response's framing, and the exchange that runs the request (with its
/// reusable context). A connection that goes idle drops it, so an idle keep-alive
/// connection costs little more than its socket.
final class HTTP1RequestState {
    @exclusivity(unchecked) var parser: HTTP1RequestHeadParser
    @exclusivity(unchecked) var head = HTTP1RequestHead()
    /// A complete head is parsed and not yet handed to the exchange.
    @exclusivity(unchecked) var headReady = false
    /// When the first byte of the head being read arrived (for the headers timeout).
    @exclusivity(unchecked) var headStartedAt: Int64?
    @exclusivity(unchecked) var body = HTTP1BodyState()
    /// The response's body goes out in chunks.
    @exclusivity(unchecked) var responseIsChunked = false
    let exchange: HTTPExchange<HTTP1Connection>
    /// The forwarder of the server's `HTTP1ForwardingHandler`, made at the first head it was offered.
    @exclusivity(unchecked) var forwarder: (any HTTP1RequestForwarder)?

    init(limits: HTTP1Limits, exchange: HTTPExchange<HTTP1Connection>) {
        parser = HTTP1RequestHeadParser(limits: limits)
        self.exchange = exchange
    }

    /// Ready for the next request (the head's storage keeps its capacity).
    func resetForNextRequest() {
        parser.reset()
        headReady = false
        headStartedAt = nil
        body = HTTP1BodyState()
        responseIsChunked = false
    }
}

/// Reading the current request's body out of the receive buffer.
struct HTTP1BodyState {
    var decoder: HTTP1BodyDecoder?
    /// Absolute index in the receive buffer of the first byte not yet decoded.
    var cursor = 0
    /// Decoded body bytes not yet taken by the app (absolute indices).
    var pending: Range<Int> = 0..<0
    var finished = false
    var continueSent = false
    var trailersCopied = false
    /// When the response was done and the server started discarding an unread body.
    var drainStartedAt: Int64?
}
