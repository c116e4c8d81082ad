#if canImport(HostctlCore)
import HostctlCore
#endif

/// DATA and the receiving half of flow control (RFC 9113 §5.2, §6.1, §6.9, §8.1.1).
///
/// The client may send what our windows allow; the windows reopen as the app reads
/// (`dataConsumed`), so what a connection buffers for its app is bounded by the windows: a
/// stream's `initialStreamWindowSize`, all streams together `initialConnectionWindowSize`.
/// WINDOW_UPDATEs go out in batches, once half a window is owed.
extension HTTP2ConnectionStateMachine {
    func receiveData(_ frame: HTTP2DataFrame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        let id = frame.streamID
        let length = frame.flowControlledLength
        // The connection window counts every DATA frame, whatever its stream's state (§6.9).
        guard length <= connectionReceiveWindow else { throw HTTP2Error(.flowControlWindowExceeded, streamID: id) }
        connectionReceiveWindow -= length

        guard let index = streams.index(of: id) else {
            guard id <= highestStreamID else { throw HTTP2Error(.streamIdle(.data), streamID: id) }
            creditConnection(length, output: output)
            guard closedStreams.lookup(id) == true else { throw HTTP2Error(.streamClosed(.data), streamID: id) }
            return nil
        }
        let record = streams[index]
        guard record.remoteOpen else {
            creditConnection(length, output: output)
            if record.resetByUs { return nil }
            return try streamError(.stream(record.resetByClient ? .frameAfterReset(.data) : .streamHalfClosedRemote(.data), id), output: output)
        }
        guard length <= record.receiveWindow else { throw HTTP2Error(.flowControlWindowExceeded, streamID: id) }
        streams[index].receiveWindow -= length
        let padding = length - frame.data.count
        if padding > 0 {
            // Padding reaches no app: give it back at once.
            creditConnection(padding, output: output)
            creditStream(index, padding, output: output)
        }
        let received = record.receivedLength + frame.data.count
        streams[index].receivedLength = received
        if record.expectedLength >= 0 {
            if received > record.expectedLength || (frame.endStream && received < record.expectedLength) {
                creditConnection(frame.data.count, output: output)
                return try streamError(.stream(received > record.expectedLength ? .moreDataThanContentLength : .lessDataThanContentLength, id), output: output)
            }
        }
        if frame.data.isEmpty && !frame.endStream { try countEmptyFrame() }
        streams[index].unconsumed += frame.data.count
        if frame.endStream { streams.endRemote(index) }
        return .data(id, frame.data, endStream: frame.endStream)
    }

    /// The app read `count` octets of stream `streamID`'s body (from `.data` events): the client
    /// may send that much more. Call it for bytes the app discards too.
    public func dataConsumed(_ count: Int, stream streamID: HTTP2StreamID, output: ByteBuffer) {
        guard count > 0, phase != .closed else { return }
        guard let index = streams.index(of: streamID) else {
            creditConnection(count, output: output)
            return
        }
        let credited = min(count, streams[index].unconsumed)
        streams[index].unconsumed -= credited
        creditConnection(credited, output: output)
        creditStream(index, credited, output: output)
    }

    /// Owes the client `count` more octets on the connection; sends the debt once it is half the
    /// window, or sooner when the client is nearly out of window (streams whose app does not read
    /// hold the rest, and the others must not starve behind them).
    func creditConnection(_ count: Int, output: ByteBuffer) {
        guard count > 0, phase != .closed else { return }
        connectionPendingCredit += count
        let window = limits.initialConnectionWindowSize
        if connectionPendingCredit >= window / 2 || connectionReceiveWindow < window / 4 {
            HTTP2WindowUpdateFrame.write(streamID: .connection, increment: connectionPendingCredit, to: output)
            connectionReceiveWindow += connectionPendingCredit
            connectionPendingCredit = 0
        }
    }

    /// Owes the client `count` more octets on a stream still sending; sent at half the window.
    func creditStream(_ index: Int, _ count: Int, output: ByteBuffer) {
        guard count > 0, streams[index].remoteOpen else { return }
        streams[index].pendingCredit += count
        let pending = streams[index].pendingCredit
        if pending >= limits.initialStreamWindowSize / 2 {
            HTTP2WindowUpdateFrame.write(streamID: streams[index].id, increment: pending, to: output)
            streams[index].receiveWindow += pending
            streams[index].pendingCredit = 0
        }
    }
}
