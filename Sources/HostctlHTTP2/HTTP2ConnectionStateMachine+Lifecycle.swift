#if canImport(HostctlCore)
import HostctlCore
#endif

/// Time and the end of the connection: timeouts, keep-alive PING, rate budgets, graceful
/// shutdown in two GOAWAYs (RFC 9113 §6.8), aborting.
extension HTTP2ConnectionStateMachine {
    /// Once a second, with the loop's monotonic clock: refills the rate budgets, ends a
    /// connection whose preface or header block takes longer than `requestHeadersTimeout` or
    /// that stays silent `keepAlivePingTimeout` after a keep-alive PING, sends that PING after
    /// `keepAlivePingDelay` of silence, and sends the final GOAWAY of a graceful shutdown whose
    /// PING went unanswered for a second. Returns `.connectionError` when the connection ends.
    public func heartbeat(now: Int64, output: ByteBuffer) -> HTTP2Event? {
        guard phase != .closed && phase != .created else { return nil }
        self.now = now
        resetBudget.refill(now: now)
        refusalBudget.refill(now: now)
        emptyFrameBudget.refill(now: now)
        if receivedSinceHeartbeat {
            lastReceivedAt = now
            receivedSinceHeartbeat = false
        }
        let headersTimeout = limits.requestHeadersTimeout.nanoseconds
        if phase == .awaitingPreface || phase == .awaitingSettings, now - startedAt > headersTimeout {
            return fail(HTTP2Error(.requestHeadersTimeout), output: output)
        }
        if let block = headerBlock, now - block.startedAt > headersTimeout {
            return fail(HTTP2Error(.requestHeadersTimeout, streamID: block.streamID), output: output)
        }
        if let delay = limits.keepAlivePingDelay?.nanoseconds {
            if let sentAt = keepAlivePingSentAt {
                if lastReceivedAt > sentAt {
                    keepAlivePingSentAt = nil  // any frame shows the client is there
                } else if now - sentAt > limits.keepAlivePingTimeout.nanoseconds {
                    return fail(HTTP2Error(.keepAliveTimeout), output: output)
                }
            } else if now - lastReceivedAt >= delay {
                HTTP2PingFrame.write(payload: Self.keepAlivePingPayload, ack: false, to: output)
                keepAlivePingSentAt = now
            }
        }
        if case .announced(let at) = shutdown, now - at >= 1_000_000_000 {
            sendFinalGoAway(output: output)
        }
        return nil
    }

    /// Starts a graceful shutdown: GOAWAY naming the largest stream id, so the client opens
    /// nothing new but streams already on the wire still count, and a PING; its ACK (or a second,
    /// at the latest) brings the final GOAWAY with the last stream actually opened. Streams in
    /// flight finish; close once `canClose`.
    public func beginGracefulShutdown(output: ByteBuffer) {
        guard phase != .closed, phase != .created, case .none = shutdown else { return }
        HTTP2GoAwayFrame.write(lastStreamID: .maximum, errorCode: .noError, debugData: "", to: output)
        HTTP2PingFrame.write(payload: Self.shutdownPingPayload, ack: false, to: output)
        shutdown = .announced(at: now)
    }

    func sendFinalGoAway(output: ByteBuffer) {
        HTTP2GoAwayFrame.write(lastStreamID: highestStreamID, errorCode: .noError, debugData: "", to: output)
        shutdown = .final(lastStreamID: highestStreamID)
    }

    /// Ends the connection now, for a reason of the driver's (the shutdown timeout ran out, a
    /// minimum data rate was missed, the peer never reads): GOAWAY with `code` and `message` goes
    /// into `output`; send it and close.
    public func abort(_ code: HTTP2ErrorCode, message: String, output: ByteBuffer) {
        guard phase != .closed, phase != .created else { return }
        _ = fail(HTTP2Error(.aborted(code: code, message: message)), output: output)
    }
}
