#if canImport(HostctlCore)
import HostctlCore
#endif

/// SETTINGS, WINDOW_UPDATE, RST_STREAM, PING and GOAWAY from the client (RFC 9113 §6.4–§6.9).
extension HTTP2ConnectionStateMachine {
    /// Applies every parameter, then acknowledges (§6.5.3: the ACK says they are in force).
    func receiveSettings(_ frame: HTTP2SettingsFrame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        if frame.isAck {
            // Our SETTINGS are in force: the client's blocks may now rely on our table size.
            decoder.acknowledgeMaxTableSize(limits.headerTableSize)
            return nil
        }
        var settings = peerSettings
        for index in 0..<frame.parameterCount {
            let (identifier, value) = frame.parameter(at: index)
            try settings.apply(identifier, value)
            // Every size in the frame counts: the encoder signals the smallest, then the last (RFC 7541 §4.2).
            if identifier == HTTP2Setting.headerTableSize { encoder.setPeerMaxTableSize(Int(value)) }
        }
        // One shift of the stream windows per frame, however many times the frame repeats the
        // parameter: a frame of 2730 parameters costs one pass over the streams, not 2730.
        let delta = settings.initialWindowSize - peerSettings.initialWindowSize
        if delta != 0 {
            guard streams.shiftSendWindows(by: delta) else { throw HTTP2Error(.initialWindowSizeInvalid) }
        }
        peerSettings = settings
        HTTP2SettingsFrame.writeAck(to: output)
        if phase == .awaitingSettings { phase = .open }
        return .settingsChanged
    }

    func receiveWindowUpdate(_ frame: HTTP2WindowUpdateFrame) throws(HTTP2Error) -> HTTP2Event? {
        let id = frame.streamID
        if id == .connection {
            guard connectionSendWindow + frame.increment <= HTTP2Setting.maximumWindowSize else { throw HTTP2Error(.windowUpdateSizeInvalid) }
            connectionSendWindow += frame.increment
            return .windowOpened(.connection)
        }
        guard let index = streams.index(of: id) else {
            guard id <= highestStreamID else { throw HTTP2Error(.streamIdle(.windowUpdate), streamID: id) }
            return nil  // closed: may cross our END_STREAM or RST_STREAM (§5.1)
        }
        guard !streams[index].isReset else { return nil }
        // Counted after our END_STREAM too, while the stream is tracked (its request still
        // arriving): the window may not pass 2³¹−1 in any state (§6.9.1).
        guard streams[index].sendWindow + frame.increment <= HTTP2Setting.maximumWindowSize else {
            throw HTTP2Error.stream(.windowUpdateSizeInvalid, id)
        }
        streams[index].sendWindow += frame.increment
        return streams[index].localOpen ? .windowOpened(id) : nil
    }

    func receiveReset(_ frame: HTTP2RSTStreamFrame) throws(HTTP2Error) -> HTTP2Event? {
        let id = frame.streamID
        guard id <= highestStreamID else { throw HTTP2Error(.streamIdle(.rstStream), streamID: id) }
        // Rapid Reset (CVE-2023-44487): every reset counts, whatever the stream's state.
        guard resetBudget.take() else { throw HTTP2Error(.tooManyResets) }
        guard let index = streams.index(of: id), !streams[index].isReset else { return nil }
        streams.markReset(index, byClient: true)
        return .streamReset(id, .stream(.resetByClient(code: frame.errorCode), id))
    }

    func receivePing(_ frame: HTTP2PingFrame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        guard frame.isAck else {
            // Replies wait in `output`; `nextEvent` stops reading while too many do (CVE-2019-9512).
            HTTP2PingFrame.write(payload: frame.payload, ack: true, to: output)
            return nil
        }
        switch frame.payload {
        case Self.keepAlivePingPayload:
            keepAlivePingSentAt = nil
        case Self.shutdownPingPayload:
            if case .announced = shutdown { sendFinalGoAway(output: output) }
        default:
            break
        }
        return nil
    }

    func receiveGoAway(_ frame: HTTP2GoAwayFrame) -> HTTP2Event? {
        clientWentAway = true
        return .goAway(lastStreamID: frame.lastStreamID, errorCode: frame.errorCode)
    }
}
