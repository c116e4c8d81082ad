#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// The server side of one HTTP/2 connection (RFC 9113), without I/O: bytes in, events out, and
/// frames written into an output buffer that the driver sends.
///
/// It owns everything the protocol requires of a connection: the preface, SETTINGS and their
/// acknowledgement, stream states and identifiers, both HPACK contexts, flow control in both
/// directions, PING, RST_STREAM, GOAWAY, and RFC 9113 §8's rules for requests. It answers on its
/// own whatever needs no decision from the app (SETTINGS and PING acknowledgements, WINDOW_UPDATE
/// credit, RST_STREAM for malformed requests, GOAWAY on connection errors) and reports the rest
/// as `HTTP2Event`s. Its defences against the known attacks are built in, each bounded by a
/// value of `HTTP2Limits` whose documentation names the attack it answers.
///
/// One per connection, used from the connection's thread only. The driver:
///
/// 1. calls `start(now:output:)` once, and sends `output` (our SETTINGS and the connection
///    WINDOW_UPDATE);
/// 2. after bytes arrive in `input`, calls `nextEvent(from:output:)` until it returns nil,
///    handling each event; then sends `output`. `input` must be able to hold a whole frame
///    (`minimumInputCapacity`); consumed bytes are removed from it. When `isWaitingForOutput`
///    is true the machine stopped reading because `output` holds `maxPendingOutputForInput`
///    octets: stop reading the socket until a send completes, then call `nextEvent` again;
/// 3. writes responses with `writeHeaders`, `writeData` (which takes only what the windows
///    allow: wait for `.windowOpened` or `.settingsChanged` to write the rest), `writeTrailers`;
///    reports the app's reads with `dataConsumed`; resets with `resetStream`; and calls
///    `streamFinished` when it is done with a stream, whatever happened to it;
/// 4. calls `heartbeat(now:output:)` once a second (timeouts, keep-alive PING, rate limits);
/// 5. to stop gracefully calls `beginGracefulShutdown(output:)`, and closes once `canClose`;
///    after `.connectionError`, or after `abort(_:output:)`, sends `output` and closes.
///
/// ```swift
/// let machine = HTTP2ConnectionStateMachine(limits: HTTP2Limits(), transportScheme: "https")
/// machine.start(now: loop.now, output: outbound)
/// // bytes arrived in `inbound`:
/// while let event = machine.nextEvent(from: inbound, output: outbound) {
///     switch event {
///     case .requestHead(let stream, let head, let endStream):
///         try machine.writeHeaders(stream, status: 200, fields: HTTPFields([("content-type", "text/plain")]), endStream: false, output: outbound)
///         let sent = machine.writeData(body, stream: stream, endStream: true, output: outbound)  // ≤ body.count
///         machine.recycle(head)
///         if sent == body.count { machine.streamFinished(stream, output: outbound) }
///     case .data(let stream, let bytes, _):
///         machine.dataConsumed(bytes.count, stream: stream, output: outbound)
///     case .connectionError:
///         transport.send(outbound); transport.close()
///     default:
///         break
///     }
/// }
/// transport.send(outbound)
/// ```
public final class HTTP2ConnectionStateMachine {
    public let limits: HTTP2Limits
    /// The client's settings as last applied.
    @exclusivity(unchecked) public internal(set) var peerSettings = HTTP2Settings()

    enum Phase {
        case created, awaitingPreface, awaitingSettings, open, closed
    }

    @exclusivity(unchecked) var phase = Phase.created
    @exclusivity(unchecked) var streams = HTTP2StreamTable()
    @exclusivity(unchecked) var closedStreams = HTTP2ClosedStreams()
    /// The highest stream the client opened (or tried to).
    @exclusivity(unchecked) public internal(set) var highestStreamID = HTTP2StreamID.connection
    let validator: HTTP2RequestValidator
    let decoder: HPACKDecoder
    let encoder: HPACKEncoder
    let decodingLimits: HPACKDecoder.Limits

    // Flow control (§5.2, §6.9).
    @exclusivity(unchecked) public internal(set) var connectionSendWindow = HTTP2Setting.defaultWindowSize
    @exclusivity(unchecked) var connectionReceiveWindow = HTTP2Setting.defaultWindowSize
    @exclusivity(unchecked) var connectionPendingCredit = 0

    // A header block being received (HEADERS without END_HEADERS, then CONTINUATION).
    struct HeaderBlock {
        let streamID: HTTP2StreamID
        let endStream: Bool
        let priority: HTTP2Priority?
        var continuations = 0
        let startedAt: Int64
    }
    @exclusivity(unchecked) var headerBlock: HeaderBlock?
    let headerBlockBuffer = ByteBuffer()
    /// Where blocks of streams we will not serve are decoded (they change the HPACK table all the same).
    let discardedFields = HPACKHeaderList()
    @exclusivity(unchecked) var spareHeads: [HTTP2RequestHead] = []
    @exclusivity(unchecked) var spareLists: [HPACKHeaderList] = []
    static let maximumSpares = 16

    // Defences.
    @exclusivity(unchecked) var resetBudget: HTTP2RateBudget
    @exclusivity(unchecked) var refusalBudget: HTTP2RateBudget
    @exclusivity(unchecked) var emptyFrameBudget: HTTP2RateBudget
    /// true while `output` was too full to read more (see `isWaitingForOutput`).
    @exclusivity(unchecked) public private(set) var isWaitingForOutput = false

    // Time, from `start` and `heartbeat` (monotonic nanoseconds).
    @exclusivity(unchecked) var now: Int64 = 0
    @exclusivity(unchecked) var startedAt: Int64 = 0
    @exclusivity(unchecked) var receivedSinceHeartbeat = false
    @exclusivity(unchecked) var lastReceivedAt: Int64 = 0
    @exclusivity(unchecked) var keepAlivePingSentAt: Int64?

    // Shutdown (§6.8).
    enum Shutdown {
        case none
        /// GOAWAY(2³¹−1) and a PING went out; the final GOAWAY follows the PING's ACK.
        case announced(at: Int64)
        /// The final GOAWAY went out: streams above `lastStreamID` are ignored.
        case final(lastStreamID: HTTP2StreamID)
    }
    @exclusivity(unchecked) var shutdown = Shutdown.none
    /// The client sent GOAWAY.
    @exclusivity(unchecked) public internal(set) var clientWentAway = false

    static let preface: StaticString = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    static let keepAlivePingPayload: UInt64 = 0x6B65_6570_616C_6976  // "vilapeek" in memory order
    static let shutdownPingPayload: UInt64 = 0x676E_6974_756F_6873

    /// `transportScheme` is "http" or "https" when :scheme must match the connection (Kestrel's
    /// default); nil accepts any scheme (Kestrel's AllowAlternateSchemes).
    public init(limits: HTTP2Limits = HTTP2Limits(), transportScheme: StaticString? = nil) {
        self.limits = limits
        validator = HTTP2RequestValidator(limits: limits, transportScheme: transportScheme)
        decoder = HPACKDecoder(initialTableSize: 4096, announcedTableSize: limits.headerTableSize)
        encoder = HPACKEncoder(maxTableSize: 4096)
        decodingLimits = HPACKDecoder.Limits(
            maxHeaderListSize: limits.maxRequestHeadersTotalSize,
            maxFieldSize: limits.maxRequestHeaderFieldSize,
            // The count limit applies to regular fields, checked after decoding; this bound only
            // stops a block of thousands of tiny fields early.
            maxFieldCount: limits.maxRequestHeaderCount + 16
        )
        resetBudget = HTTP2RateBudget(limits.resetRate)
        refusalBudget = HTTP2RateBudget(limits.refusedStreamRate)
        emptyFrameBudget = HTTP2RateBudget(limits.emptyFrameRate)
    }

    /// The capacity `input` needs so that any frame we accept fits in it whole.
    public var minimumInputCapacity: Int { HTTP2FrameHeader.size + limits.maxFrameSize }

    /// Streams the driver has been given and not yet finished.
    public var trackedStreamCount: Int { streams.count }
    /// Streams open in either direction (what SETTINGS_MAX_CONCURRENT_STREAMS counts).
    public var openStreamCount: Int { streams.openCount }
    public var isClosed: Bool { phase == .closed }

    /// Whether the connection may close now: it failed, or a graceful shutdown (ours or the
    /// client's GOAWAY) has no stream left.
    public var canClose: Bool {
        if phase == .closed { return true }
        guard streams.isEmpty, headerBlock == nil else { return false }
        if case .final = shutdown { return true }
        return clientWentAway
    }

    // MARK: Starting

    /// Writes the server's connection preface: SETTINGS (RFC 9113 §3.4), then a WINDOW_UPDATE
    /// that opens the connection window to `initialConnectionWindowSize` (a SETTINGS parameter
    /// cannot, §6.9.2). `now` is the loop's monotonic clock in nanoseconds.
    public func start(now: Int64, output: ByteBuffer) {
        precondition(phase == .created, "start once")
        self.now = now
        startedAt = now
        lastReceivedAt = now
        var settings: [(UInt16, UInt32)] = [
            (HTTP2Setting.maxConcurrentStreams, UInt32(limits.maxStreamsPerConnection)),
            (HTTP2Setting.initialWindowSize, UInt32(limits.initialStreamWindowSize)),
            (HTTP2Setting.maxHeaderListSize, UInt32(limits.maxRequestHeadersTotalSize)),
            (HTTP2Setting.noRFC7540Priorities, 1),
        ]
        if limits.headerTableSize != 4096 { settings.insert((HTTP2Setting.headerTableSize, UInt32(limits.headerTableSize)), at: 0) }
        if limits.maxFrameSize != HTTP2Setting.minimumMaxFrameSize { settings.append((HTTP2Setting.maxFrameSize, UInt32(limits.maxFrameSize))) }
        if limits.enableExtendedConnect { settings.append((HTTP2Setting.enableConnectProtocol, 1)) }
        HTTP2SettingsFrame.write(settings, to: output)
        // Our stream windows apply as soon as the client reads them, so accept that much at once:
        // a client may use a larger window we announced before it acknowledges (never a smaller one).
        let increment = limits.initialConnectionWindowSize - HTTP2Setting.defaultWindowSize
        if increment > 0 { HTTP2WindowUpdateFrame.write(streamID: .connection, increment: increment, to: output) }
        connectionReceiveWindow = limits.initialConnectionWindowSize
        phase = .awaitingPreface
    }

    // MARK: Reading

    /// Reads frames from `input` (consuming their bytes) until one produces an event, and returns
    /// it; nil when `input` holds no complete frame, when reading waits for `output` to drain
    /// (`isWaitingForOutput`), or once the connection is closed. Replies go into `output`.
    public func nextEvent(from input: ByteBuffer, output: ByteBuffer) -> HTTP2Event? {
        precondition(phase != .created, "call start first")
        while phase != .closed {
            guard output.readableCount < limits.maxPendingOutputForInput else {
                isWaitingForOutput = true
                return nil
            }
            isWaitingForOutput = false
            do throws(HTTP2Error) {
                if phase == .awaitingPreface {
                    guard try readPreface(input) else { return nil }
                }
                let bytes = input.readableBytes
                guard bytes.count >= HTTP2FrameHeader.size else { return nil }
                // The header alone decides a frame that interrupts a header block or precedes SETTINGS.
                let header = HTTP2FrameHeader.read(bytes.baseAddress!)
                if let block = headerBlock { try checkContiguity(header, block) }
                if phase == .awaitingSettings, header.type != .settings || header.flags.contains(.ack) {
                    throw HTTP2Error(.settingsExpectedFirst(header.type))
                }
                guard header.length <= limits.maxFrameSize else {
                    throw HTTP2Error(.frameTooLarge(size: header.length, limit: limits.maxFrameSize), streamID: header.streamID)
                }
                let length = HTTP2FrameHeader.size + header.length
                guard bytes.count >= length else { return nil }
                // Consumed before it is parsed, so a frame that is a stream error is not read twice;
                // the payload stays where it is until the input is next written to.
                input.consume(length)
                receivedSinceHeartbeat = true
                let frame = try HTTP2FrameDecoder.frame(header, UnsafeRawBufferPointer(rebasing: bytes[HTTP2FrameHeader.size..<length]))
                if let event = try handle(frame, output: output) { return event }
            } catch {
                if let event = handle(error, output: output) { return event }
            }
        }
        return nil
    }

    private func readPreface(_ input: ByteBuffer) throws(HTTP2Error) -> Bool {
        let bytes = input.readableBytes
        let count = min(bytes.count, Self.preface.utf8CodeUnitCount)
        for index in 0..<count where bytes[index] != Self.preface.utf8Start[index] {
            throw HTTP2Error(.invalidPreface)
        }
        guard count == Self.preface.utf8CodeUnitCount else { return false }
        input.consume(count)
        phase = .awaitingSettings
        return true
    }

    /// Any frame but CONTINUATION on the same stream breaks a header block (§6.10).
    @inline(__always)
    private func checkContiguity(_ header: HTTP2FrameHeader, _ block: HeaderBlock) throws(HTTP2Error) {
        guard header.type == .continuation && header.streamID == block.streamID else {
            throw HTTP2Error(.headersInterleaved(header.type, headersStreamID: block.streamID), streamID: header.streamID)
        }
    }

    private func handle(_ frame: HTTP2Frame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        switch frame {
        case .data(let data): return try receiveData(data, output: output)
        case .headers(let headers): return try receiveHeaders(headers, output: output)
        case .continuation(let continuation): return try receiveContinuation(continuation, output: output)
        case .settings(let settings): return try receiveSettings(settings, output: output)
        case .windowUpdate(let update): return try receiveWindowUpdate(update)
        case .rstStream(let reset): return try receiveReset(reset)
        case .ping(let ping): return try receivePing(ping, output: output)
        case .goAway(let goAway): return receiveGoAway(goAway)
        case .priority: return nil  // shape checked; priorities are ignored (§5.3.2)
        case .pushPromise: throw HTTP2Error(.pushPromiseReceived)
        case .unknown(let header):
            if header.length == 0 { try countEmptyFrame() }
            return nil
        }
    }

    // MARK: Errors

    /// A thrown error: a connection error ends the connection; a stream error resets the stream.
    func handle(_ error: HTTP2Error, output: ByteBuffer) -> HTTP2Event? {
        if error.isConnectionError { return fail(error, output: output) }
        do throws(HTTP2Error) {
            return try streamError(error, output: output)
        } catch {
            return fail(error, output: output)
        }
    }

    /// Ends the connection: GOAWAY with the last stream we may have processed (§6.8).
    func fail(_ error: HTTP2Error, output: ByteBuffer) -> HTTP2Event {
        HTTP2GoAwayFrame.write(lastStreamID: highestStreamID, errorCode: error.code, debugData: error.description, to: output)
        phase = .closed
        headerBlock = nil
        return .connectionError(error)
    }

    /// Resets the stream of a stream error. A stream the driver has becomes `.streamReset`; an
    /// idle one cannot take RST_STREAM (§6.4), so the error ends the connection instead.
    func streamError(_ error: HTTP2Error, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        let id = error.streamID
        if let index = streams.index(of: id) {
            let wasReset = streams[index].isReset
            try sendReset(id, error.code, output: output)
            if !wasReset {
                streams.markReset(index, byClient: false)
                return .streamReset(id, error)
            }
            return nil
        }
        guard id <= highestStreamID else { throw error.asConnectionError }
        try sendReset(id, error.code, output: output)
        return nil
    }

    /// Writes RST_STREAM, counting it: resets we are made to send are Rapid Reset's cousin
    /// (MadeYouReset, CVE-2025-8671), and share its budget.
    func sendReset(_ id: HTTP2StreamID, _ code: HTTP2ErrorCode, output: ByteBuffer) throws(HTTP2Error) {
        HTTP2RSTStreamFrame.write(streamID: id, errorCode: code, to: output)
        if code != .noError { guard resetBudget.take() else { throw HTTP2Error(.tooManyResets) } }
    }

    func countEmptyFrame() throws(HTTP2Error) {
        guard emptyFrameBudget.take() else { throw HTTP2Error(.tooManyEmptyFrames) }
    }
}
