import HostctlCore
import HostctlHTTP2

/// The connection's output: one buffer every frame goes into, sent once per batch of
/// events; response bodies framed from their streams as windows and room allow.
extension HTTP2Connection {
    /// The buffer frames are written into.
    var output: ByteBuffer {
        if let outbound { return outbound }
        let buffer = spare ?? ByteBuffer(capacity: 4096)
        spare = nil
        outbound = buffer
        return buffer
    }

    /// How many more octets of response body may be framed into the output now.
    var outputRoom: Int { Self.outputHighWater - (outbound?.readableCount ?? 0) }

    /// A stream has response bytes (or their end) to frame.
    func outputWanted(_ stream: HTTP2Stream) {
        if !stream.awaitsFraming {
            stream.awaitsFraming = true
            streamsAwaitingFraming.append(stream)
        }
        scheduleFlush()
    }

    /// Sends the output once every event of the current batch has been handled (the app's
    /// tasks they woke included), so a batch's frames leave in one send.
    func scheduleFlush() {
        guard !flushScheduled, !closed else { return }
        flushScheduled = true
        // Strong: a queued flush keeps the connection alive until it has run (the cycle is
        // broken when the transport closes).
        if flushWork == nil { flushWork = { [self] in flush() } }
        loop.afterEvents(flushWork!)
    }

    /// Sends what is ready in the middle of a batch; the flush already scheduled for the
    /// batch's end still runs.
    func flushEarly() {
        let scheduled = flushScheduled
        flush()
        flushScheduled = scheduled
    }

    /// Frames what waits, sends (one send in flight), and again while sends complete at
    /// once; wakes the apps waiting for room; closes once a closing connection's output left.
    func flush() {
        guard !closed else { return }
        streamsServedSinceSend = 0
        // What this pass does (finishing streams, replies) schedules no second pass.
        flushScheduled = true
        defer { flushScheduled = false }
        while true {
            if !streamsAwaitingFraming.isEmpty, outputRoom > 0 { frameStreamOutput() }
            guard inFlight == nil, let buffer = outbound, !buffer.isEmpty else { break }
            outbound = spare
            spare = nil
            guard let returned = transport.send(buffer) else {
                if !closed { inFlight = buffer }
                break
            }
            returned.clear()
            if outbound == nil { outbound = returned } else if spare == nil { spare = returned }
            if closed { return }
        }
        if writableWaiters > 0 { wakeWritableStreams() }
        if responseRate.isObserving, inFlight == nil, streamsAwaitingFraming.isEmpty {
            responseRate.pause(now: loop.now, sentCount: transport.sentByteCount)
        }
        if !closeWhenSent { closeIfDone() }
        if closeWhenSent, inFlight == nil, outbound?.isEmpty ?? true { transport.close() }
    }

    /// Frames the streams' response bytes in turns of at most a frame each, until the output
    /// is full or nothing more may go; a stream whose response has wholly left is finished.
    private func frameStreamOutput() {
        let output = self.output
        let quantum = max(machine.peerSettings.maxFrameSize, 1)
        var framedSomething = true
        while framedSomething, !streamsAwaitingFraming.isEmpty, output.readableCount < Self.outputHighWater {
            framedSomething = false
            var index = 0
            while index < streamsAwaitingFraming.count, output.readableCount < Self.outputHighWater {
                let stream = streamsAwaitingFraming[index]
                let before = output.readableCount
                let more = stream.frameOutput(into: output, quantum: min(quantum, Self.outputHighWater - before))
                if output.readableCount != before { framedSomething = true }
                if more {
                    index += 1
                    continue
                }
                streamsAwaitingFraming.remove(at: index)
                stream.awaitsFraming = false
                if stream.phase == .finishing, stream.outputIsDone { responseLeft(stream) }
            }
        }
    }

    /// Resumes the apps waiting for room whose streams are under the response buffer limit.
    private func wakeWritableStreams() {
        let limit = settings.maxResponseBufferSize
        for stream in streams where stream.waitingFor == .writable && stream.unsentResponseBytes <= limit {
            stream.wake()
        }
    }

    // MARK: ConnectionHandler: output

    func sendCompleted(_ buffer: ByteBuffer) {
        inFlight = nil
        buffer.clear()
        if spare == nil { spare = buffer }
        if readingPaused {
            // The replies the machine waited on have left: read what is buffered, then the socket.
            processInput()
            if !machine.isWaitingForOutput, !closed {
                readingPaused = false
                transport.resumeReading()
            }
        }
        flush()
    }

    // MARK: Closing

    /// Sends what is buffered, then closes; nothing more is read.
    func closeAfterSending() {
        guard !closed, !closeWhenSent else { return }
        closeWhenSent = true
        inputEnded = true
        scheduleFlush()
    }

    /// Closes once the connection has nothing left to do: the machine failed, or no stream
    /// is left and a GOAWAY (ours, final, or the client's) or the client's FIN ended it.
    func closeIfDone() {
        guard !closed, !closeWhenSent else { return }
        if machine.isClosed || (streams.isEmpty && (machine.canClose || inputEnded)) { closeAfterSending() }
    }
}
