import HostctlCore
import HostctlHTTP2

/// Time and the end of the connection: Kestrel's timeouts (the machine's own, the keep-alive
/// timeout, the minimum data rates), retiring idle workers, the two-phase GOAWAY of a
/// graceful stop, and aborting.
extension HTTP2Connection {
    /// Once a second.
    func heartbeat(now: Int64) {
        guard !closed else { return }
        // Headers timeout, keep-alive PING, rate budgets, the final GOAWAY of a shutdown. An
        // idle connection that let its buffers go gets one back only if this writes anything.
        let written = outbound ?? spare ?? ByteBuffer()
        let outcome = machine.heartbeat(now: now, output: written)
        if outbound == nil, !written.isEmpty {
            if written === spare { spare = nil }
            outbound = written
        }
        if case .connectionError(let error) = outcome {
            fail(reason: error.description)
            return
        }
        checkResponseRate(now: now)
        if closed || closeWhenSent { return }
        if streams.isEmpty {
            if now - idleSince > settings.keepAliveTimeout {
                // Kestrel closes an HTTP/2 connection with no stream after its keep-alive timeout.
                machine.abort(.noError, message: "The connection was idle longer than the keep-alive timeout.", output: output)
                closeAfterSending()
            } else if now - idleSince >= settings.taskRetirement {
                releaseIdleResources()
            }
        } else {
            for stream in streams {
                switch stream.phase {
                // A tunnel may be quiet for as long as its app lets it.
                case .running where !stream.isExtendedConnect: stream.exchange.checkBodyRate(now: now)
                case .draining where now - stream.drainStartedAt > settings.bodyDrainTimeout: finish(stream)
                default: break
                }
            }
        }
        scheduleFlush()
    }

    /// An idle connection holds no task, no spare stream and no buffer it can do without.
    private func releaseIdleResources() {
        guard !idleWorkers.isEmpty || !spareStreams.isEmpty || inbound != nil else { return }
        retireIdleWorkers()
        for stream in spareStreams { stream.discard() }
        spareStreams.removeAll()
        readyStreams = []
        readyStart = 0
        streamsAwaitingFraming = []
        if let inbound, inbound.isEmpty { self.inbound = nil }
        if inFlight == nil, outbound?.isEmpty ?? true {
            outbound = nil
            spare = nil
        }
        machine.releaseSpareMemory()
        state.releasedSinceTrim += 1
    }

    /// The server is stopping: GOAWAY naming the largest id and a PING, then (on its ACK, or
    /// a second later) the final GOAWAY with the last stream opened; streams in flight finish,
    /// then the connection closes.
    func beginDraining() {
        guard !closed else { return }
        machine.beginGracefulShutdown(output: output)
        scheduleFlush()
    }

    /// Ends the connection now: GOAWAY, and every stream's app is told it is over.
    func abort(reason: String) {
        guard !closed else { return }
        if abortReason == nil { abortReason = reason }
        machine.abort(.internalError, message: reason, output: output)
        for stream in streams { stream.abandon(reason: reason) }
        // The GOAWAY goes if the socket takes it at once; nothing waits for it.
        closeWhenSent = true
        flush()
        transport.close()
    }

    /// The machine ended the connection (its GOAWAY is in the output): every stream is over;
    /// the GOAWAY is sent, then the connection closes.
    func fail(reason: String) {
        if abortReason == nil { abortReason = reason }
        for stream in streams { streamWasReset(stream, reason: reason) }
        closeAfterSending()
    }

    // MARK: The minimum response data rate

    /// Kestrel's MinResponseDataRate, for the whole connection: while a send is pending or response
    /// bytes wait for windows the client does not open, the client must take them at the minimum
    /// rate once the grace period has passed (a peer that never reads, or never opens its
    /// windows, is cut off).
    private func checkResponseRate(now: Int64) {
        guard let rate = settings.minResponseRate else { return }
        let sent = transport.sentByteCount
        guard inFlight != nil || !streamsAwaitingFraming.isEmpty else {
            responseRate.pause(now: now, sentCount: sent)
            return
        }
        if !responseRate.isObserving {
            responseRate.start(now: now, sentCount: sent)
        } else if responseRate.isTooSlow(now: now, sentCount: sent, rate: rate) {
            abort(reason: ResponseRateWatch.message)
        }
    }
}
