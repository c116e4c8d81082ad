import HostctlCore
import HostctlHTTP2
import HostctlHosting

/// Streams from their HEADERS to their end, and the workers that run their requests.
extension HTTP2Connection {

    // MARK: Opening

    func openStream(_ id: HTTP2StreamID, head: HTTP2RequestHead, endStream: Bool) {
        let stream = spareStreams.popLast() ?? HTTP2Stream(connection: self)
        stream.open(id, head: head, endStream: endStream)
        streams.append(stream)
        // The worker about to take it is the queue a request waits in: stamp the parse before it.
        stream.exchange.extras?.timeline?.headParsed()
        readyStreams.append((stream, id))
        if wokenWorkers == 0 { wakeWorker() } else { scheduleWakeCheck() }
    }

    /// One worker is woken for a batch of new streams, and takes them one after another while
    /// their apps return without suspending (a read of 32 requests: one wake, not 32 of which
    /// 31 find nothing left). Streams it left queued at the end of the loop's turn (its app
    /// awaits something) get workers of their own then, so none waits behind another's app.
    private func scheduleWakeCheck() {
        guard !wakeCheckScheduled, !closed else { return }
        wakeCheckScheduled = true
        if wakeCheckWork == nil { wakeCheckWork = { [self] in wakeWorkersForWaitingStreams() } }
        loop.afterEvents(wakeCheckWork!)
    }

    private func wakeWorkersForWaitingStreams() {
        wakeCheckScheduled = false
        guard !closed else { return }
        while wokenWorkers < readyStreams.count - readyStart { wakeWorker() }
    }

    /// The next queued stream still waiting for its app.
    private func nextReadyStream() -> HTTP2Stream? {
        while readyStart < readyStreams.count {
            let (stream, id) = readyStreams[readyStart]
            readyStart += 1
            if readyStart == readyStreams.count {
                readyStreams.removeAll(keepingCapacity: true)
                readyStart = 0
            }
            if stream.id == id, stream.phase == .queued { return stream }
        }
        return nil
    }

    // MARK: Workers

    /// Resumes a parked worker, or starts one.
    private func wakeWorker() {
        wokenWorkers += 1
        if let worker = idleWorkers.popLast() {
            let wakeup = worker.wakeup!
            worker.wakeup = nil
            wakeup.resume(returning: true)
            return
        }
        let worker = HTTP2Worker()
        workerCount += 1
        state.liveTasks += 1
        worker.task = Task(executorPreference: loop.taskExecutor) { [self] in await run(worker) }
    }

    /// A worker: stream after stream until none is queued, then parked until there is one,
    /// until the connection closes or has been idle long enough to retire it.
    private func run(_ worker: HTTP2Worker) async {
        wokenWorkers -= 1
        while true {
            if let stream = nextReadyStream() {
                stream.worker = worker
                await serve(stream)
                // A worker whose stream was aborted was cancelled: its task cannot run another.
                if Task.isCancelled { break }
                streamsServedSinceSend += 1
                if streamsServedSinceSend >= settings.http2EarlyFlushStreams, readyStart < readyStreams.count { flushEarly() }
                continue
            }
            // With many connections on the loop, a worker is not kept waiting for a stream that may never come.
            if closed || state.liveTasks > settings.maxWaitingStreamWorkers { break }
            let keepGoing = await withUnsafeContinuation { (wakeup: UnsafeContinuation<Bool, Never>) in
                worker.wakeup = wakeup
                idleWorkers.append(worker)
            }
            guard keepGoing else { break }
            wokenWorkers -= 1
        }
        worker.task = nil
        workerCount -= 1
        state.liveTasks -= 1
    }

    /// Ends the parked workers (the connection closed, or has been idle a while).
    func retireIdleWorkers() {
        let workers = idleWorkers
        idleWorkers.removeAll()
        for worker in workers {
            let wakeup = worker.wakeup!
            worker.wakeup = nil
            wakeup.resume(returning: false)
        }
    }

    // MARK: Running

    /// Runs a stream's request through its exchange; the stream ends once its response has
    /// left (now, or when the windows let the rest go).
    /// Inlined into the worker's loop: as a function of its own it cost an async frame and an
    /// executor hop (the status-record lock) per request.
    @inline(__always)
    private func serve(_ stream: HTTP2Stream) async {
        stream.phase = .running
        let exchange = stream.exchange!
        let head = stream.head!
        _ = await exchange.process(
            method: head.method, version: .http2, contentLength: head.contentLength, hasBody: !stream.requestHadNoBody,
            number: UInt64(stream.id.rawValue), connection: makeConnectionInfo()
        )
        // A response completed without the driver being told its end (an error answered with
        // its status): end the stream after what was written.
        if exchange.response.completed, exchange.abortReason == nil, !stream.endRequested {
            stream.endRequested = true
            outputWanted(stream)
        }
        stream.mayDrainRequest = exchange.body.error == nil && exchange.abortReason == nil
        exchange.end()
        stream.worker = nil
        stream.phase = .finishing
        if stream.outputIsDone { responseLeft(stream) }
    }

    /// The app is done and its response has wholly left: the stream ends, unless the client
    /// is still sending the request, which is then drained for up to the body drain timeout.
    /// A tunnel is not drained: its end is the end of both directions (RST_STREAM NO_ERROR
    /// tells the client to stop sending, RFC 9113 §8.1).
    func responseLeft(_ stream: HTTP2Stream) {
        if stream.mayDrainRequest, !stream.requestEnded, !stream.isReset, !closed,
           stream.requestBodyReceived <= settings.maxRequestBodySize ?? Int.max, !stream.isExtendedConnect {
            stream.phase = .draining
            stream.drainStartedAt = loop.now
            return
        }
        finish(stream)
    }

    /// The connection as the app sees it, made for the first request and shared by all.
    private func makeConnectionInfo() -> ConnectionInfo {
        if let connectionInfo { return connectionInfo }
        let transport = self.transport
        let info = ConnectionInfo(id: ConnectionID.format(id), remote: transport.remoteAddress, local: { [weak transport] in transport?.localAddress })
        info.tls = transport.tls
        connectionInfo = info
        return info
    }

    // MARK: Ending

    /// The client reset the stream, the machine reset it over a protocol error, or its
    /// request can never complete: its app is told; a stream no app has ends now.
    func streamWasReset(_ stream: HTTP2Stream, reason: String) {
        stream.abandon(reason: reason)
        if stream.phase != .running { finish(stream) }
    }

    /// The stream is done (its app returned and its response left, or it was reset): the
    /// machine forgets it (resetting it if it is still open), and it is kept for reuse.
    func finish(_ stream: HTTP2Stream) {
        guard stream.phase != .idle, let index = index(of: stream.id) else { return }
        streams.remove(at: index)
        if stream.awaitsFraming, let position = streamsAwaitingFraming.firstIndex(where: { $0 === stream }) {
            streamsAwaitingFraming.remove(at: position)
        }
        stream.awaitsFraming = false
        if !closed {
            machine.streamFinished(stream.id, output: output)
            if let head = stream.head { machine.recycle(head) }
            if let trailers = stream.requestTrailers { machine.recycle(trailers) }
        }
        stream.prepareForReuse()
        // An aborted exchange stays aborted: only a stream whose request ended well is reused.
        // As many as may run at once are kept (an idle connection lets them all go).
        if !closed, stream.exchange.abortReason == nil, spareStreams.count < settings.http2Limits.maxStreamsPerConnection {
            spareStreams.append(stream)
        } else {
            stream.discard()
        }
        if streams.isEmpty { idleSince = loop.now }
        scheduleFlush()
        closeIfDone()
    }
}
