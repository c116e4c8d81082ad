/// What the app writes to HOSTCTL_READY_FD once it listens: its port in decimal and "\n"
/// (FrontContract). Pure: fed bytes as they arrive, since a line may come in pieces.
struct ReadinessReport {
    enum State: Equatable {
        case waiting
        case port(UInt16)
        /// Not a port (the text, cut short, for the error page).
        case invalid(String)
    }

    /// "65535\n" is six bytes; anything longer without a newline is not a port.
    static let maxLength = 8

    private var bytes: [UInt8] = []
    private(set) var state = State.waiting

    mutating func append(_ chunk: some Collection<UInt8>) {
        guard state == .waiting else { return }
        // While waiting there are at most maxLength bytes, so this keeps at most one more.
        bytes.append(contentsOf: chunk.prefix(Self.maxLength + 1 - bytes.count))
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            if bytes.count > Self.maxLength { state = .invalid(String(decoding: bytes, as: UTF8.self)) }
            return
        }
        let line = String(decoding: bytes[..<newline], as: UTF8.self)
        if let port = UInt16(line), port > 0 {
            state = .port(port)
        } else {
            state = .invalid(line)
        }
    }
}
