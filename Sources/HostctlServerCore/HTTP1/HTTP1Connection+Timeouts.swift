import HostctlHosting

extension HTTP1Connection {
    /// Once a second: Kestrel's timeouts, the minimum data rates, and retiring an idle task.
    func heartbeat(now: Int64) {
        guard !closed else { return }
        let request = self.request

        // The client reads the response too slowly (a tunnel has its idle limit instead).
        if let rate = settings.minResponseRate, inFlight != nil || fileInFlight, forwarded != .tunnel {
            if !responseRate.isObserving {
                responseRate.start(now: now, sentCount: transport.sentByteCount)
            } else if responseRate.isTooSlow(now: now, sentCount: transport.sentByteCount, rate: rate) {
                core.log.responseTooSlow(id)
                abort(reason: ResponseRateWatch.message)
            }
        }
        if closed || abortReason != nil { return }

        if !inRequest {
            if let started = request?.headStartedAt {
                if now - started > settings.requestHeadersTimeout { reject(.requestHeadersTimeout) }
            } else if now - idleSince > settings.keepAliveTimeout {
                closeAfterSending()
            } else if waitingFor == .request, now - idleSince >= settings.taskRetirement {
                retireRequested = true
                resumeTask()
            } else if keepsIdleState, task == nil, inFlight == nil, now - idleSince >= settings.taskRetirement {
                keepsIdleState = false
                releaseIdleMemory()
            }
            return
        }
        guard let request else { return }
        if forwarded != .none { return forwardedHeartbeat(now: now) }

        if let drainStarted = request.body.drainStartedAt {
            // Discarding an unread body takes too long.
            if now - drainStarted > settings.bodyDrainTimeout {
                if let context = request.exchange.context { core.log.drainTimedOut(id, trace: context.traceIdentifier) }
                keepAlive = false
                resumeTask()
            }
        } else {
            // The app is waiting for body bytes that come too slowly.
            request.exchange.checkBodyRate(now: now)
        }
    }

    /// The server is stopping: idle connections close now, busy ones after their response.
    func beginDraining() {
        draining = true
        keepAlive = false
        if !inRequest, request?.headStartedAt == nil {
            if waiter != nil { resumeTask() } else { closeAfterSending() }
        }
    }
}
