import HostctlHTTP1

/// Every way the server turns a request away, mapped to a status and Kestrel's message in
/// one place (KestrelBadHttpRequestException / CoreStrings). A rejected request never
/// reaches the app; the client gets a minimal response and the connection closes.
public enum RequestRejection: Sendable, Equatable {
    case parse(HTTP1ParseError.Reason)
    case requestHeadersTimeout
    case requestBodyTimeout
    case requestBodyTooLarge(limit: Int)
    case unexpectedEndOfRequestContent
    /// The request queue is full (HTTP.sys's extras, answering `.serviceUnavailable`).
    case requestQueueFull

    public var status: Int {
        switch self {
        case .parse(let reason):
            switch reason {
            case .unrecognizedHTTPVersion: 505
            case .requestLineTooLong: 414
            case .headersExceedMaxTotalSize, .tooManyHeaders: 431
            case .optionsMethodRequired, .connectMethodRequired: 405
            default: 400
            }
        case .requestHeadersTimeout, .requestBodyTimeout: 408
        case .requestBodyTooLarge: 413
        case .unexpectedEndOfRequestContent: 400
        case .requestQueueFull: 503
        }
    }

    /// The message for logs and errors (details are left out, as Kestrel does unless asked).
    public var message: String {
        switch self {
        case .parse(let reason):
            switch reason {
            case .tlsHandshakeOnPlainPort: "Detected a TLS handshake to an endpoint that does not have TLS enabled."
            case .invalidRequestLine: "Invalid request line."
            case .invalidRequestTarget: "Invalid request target."
            case .unrecognizedHTTPVersion: "Unrecognized HTTP version."
            case .requestLineTooLong: "Request line too long."
            case .invalidRequestHeader: "Invalid request header."
            case .invalidCharactersInHeaderName: "Invalid characters in header name."
            case .headersExceedMaxTotalSize: "Request headers too long."
            case .tooManyHeaders: "Request contains too many headers."
            case .invalidContentLength: "Invalid content length."
            case .multipleContentLengths: "Multiple Content-Length headers."
            case .finalTransferCodingNotChunked: "The message body length cannot be determined because the final transfer coding was not 'chunked'."
            case .missingHostHeader: "Request is missing Host header."
            case .multipleHostHeaders: "Multiple Host headers."
            case .invalidHostHeader: "Invalid Host header."
            case .optionsMethodRequired, .connectMethodRequired: "Method not allowed."
            case .lengthRequiredHTTP10: "POST or PUT request contains no Content-Length header."
            case .badChunkSizeData: "Bad chunk size data."
            case .badChunkExtension: "Bad chunk extension."
            case .badChunkSuffix: "Bad chunk suffix."
            case .invalidTrailer: "Invalid request trailer."
            case .trailersTooLarge: "Request trailers too long."
            }
        case .requestHeadersTimeout: "Reading the request headers timed out."
        case .requestBodyTimeout: "Reading the request body timed out due to data arriving too slowly. See MinRequestBodyDataRate."
        case .requestBodyTooLarge(let limit): "Request body too large. The max request body size is \(limit) bytes."
        case .unexpectedEndOfRequestContent: "Unexpected end of request content."
        case .requestQueueFull: "The request queue is full."
        }
    }
}
