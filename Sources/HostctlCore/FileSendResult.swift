/// How a transport took a request to send part of a file (`ConnectionTransport.sendFile`).
public enum FileSendResult: Sendable, Equatable {
    /// Every byte went at once.
    case sent
    /// Some went, the rest goes as the socket drains: `fileSendCompleted` says when.
    case pending
    /// This transport cannot send a file without seeing its bytes (a layer that transforms
    /// them, such as TLS): the caller reads and sends them itself.
    case unsupported
    /// The send failed (the errno); the connection is being closed.
    case failed(Int32)
}

extension ConnectionTransport {
    /// The default: no file sending without copying (layers, test transports).
    public func sendFile(_ descriptor: Int32, offset: Int64, count: Int) -> FileSendResult { .unsupported }
    public var canSendFiles: Bool { false }
    public func prepareToSendFile() {}
}

extension ConnectionHandler {
    /// The default for handlers that never send files.
    public func fileSendCompleted(error: Int32?) {}
}
