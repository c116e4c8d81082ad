import HostctlHosting

extension HTTP1Connection {
    /// Once a second: Kestrel's timeouts, the minimum data rates, and retiring an idle task.
    func heartbeat(now: Int64) {
        guard !closed else { return }
        let request = self.request

        // The client reads the response too slowly.
        if let rate = settings.minResponseRate, inFlight != nil {
            if !responseRate.isObserving {
                responseRate.start(now: now, sentCount: transport.sentByteCount)
            } else if responseRate.isTooSlow(now: now, sentCount: transport.sentByteCount, rate: rate) {
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
            }
            return
        }
        guard let request else { return }

        if let drainStarted = request.body.drainStartedAt {
            // Discarding an unread body takes too long.
            if now - drainStarted > settings.bodyDrainTimeout {
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
