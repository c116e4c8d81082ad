import Hostctl
import HostctlSystem

/// The process half of the front (ANCM's process manager): starts the app when the
/// first request needs it, hands every request its address, notices when it dies and
/// starts it again on the next request, within the rapid-failure limit; takes it offline
/// while `app_offline.htm` exists; stops it gracefully at shutdown.
///
/// Requests that arrive while the app starts wait for that one start (there is never more
/// than one app starting or running); each run of the app is an `AppProcessRun` on a
/// thread of its own.
public final class AppSupervisor: AppEndpointSource, @unchecked Sendable {
    public let command: AppCommand
    public let options: AppSupervisorOptions

    private typealias Waiter = CheckedContinuation<Result<AppEndpoint, FrontUnavailable>, Never>

    private enum Phase {
        case idle
        case starting(AppProcessRun, waiters: [Waiter])
        case running(AppProcessRun, AppEndpoint)
    }

    private struct State {
        var phase = Phase.idle
        var generation = 0
        var policy: RapidFailurePolicy
        var lastFailure: AppFailure?
        /// app_offline.htm's content while it exists.
        var offlinePage: [UInt8]?
        var shuttingDown = false
        /// Runs asked to stop (or found dead) whose end has not been reported yet.
        var retiring: [Int: AppProcessRun] = [:]
        /// `shutdown()` callers waiting for every run to end.
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let lock = Lock()
    private var state: State
    private var watcher: AppOfflineWatcher?

    public init(command: AppCommand, options: AppSupervisorOptions = AppSupervisorOptions()) {
        self.command = command
        self.options = options
        state = State(policy: RapidFailurePolicy(limit: options.rapidFailureLimit, window: options.rapidFailureWindow))
        if let directory = options.appOfflineDirectory {
            watcher = AppOfflineWatcher(directory: directory, interval: options.appOfflinePollInterval) { [unowned self] page in
                setOffline(page)
            }
        }
    }

    // MARK: AppEndpointSource

    public func endpointIfRunning() -> AppEndpoint? {
        lock.withLock {
            guard state.offlinePage == nil, !state.shuttingDown, case .running(_, let endpoint) = state.phase else { return nil }
            return endpoint
        }
    }

    public func endpoint() async throws(FrontUnavailable) -> AppEndpoint {
        // The common case, a running app, takes no continuation.
        if let current = endpointIfRunning() { return current }

        let result = await withCheckedContinuation { (continuation: Waiter) in
            enum Next { case answer(Result<AppEndpoint, FrontUnavailable>), launch(AppProcessRun), wait }
            let next: Next = lock.withLock {
                if let refusal = refusal() { return .answer(.failure(refusal)) }
                switch state.phase {
                case .running(_, let endpoint):
                    return .answer(.success(endpoint))
                case .starting(let run, var waiters):
                    waiters.append(continuation)
                    state.phase = .starting(run, waiters: waiters)
                    return .wait
                case .idle:
                    let run = makeRun()
                    state.phase = .starting(run, waiters: [continuation])
                    return .launch(run)
                }
            }
            switch next {
            case .answer(let result): continuation.resume(returning: result)
            case .launch(let run): launch(run)
            case .wait: break
            }
        }
        return try result.get()
    }

    public func connectionFailed(_ endpoint: AppEndpoint) {
        // A refused connection usually means the app died a moment ago; if so, the next
        // request should start a new one rather than be handed the dead address again.
        // (The run reports the exit itself, with its cause, when it has reaped it.)
        lock.withLock {
            guard case .running(let run, let current) = state.phase, current.generation == endpoint.generation,
                  run.hasExited() else { return }
            state.retiring[run.generation] = run
            state.phase = .idle
        }
    }

    // MARK: Control

    /// Starts the app now rather than on the first request (`startMode: "always"`).
    /// A failure is logged; requests then find the app idle and try again.
    public func startNow() {
        let run: AppProcessRun? = lock.withLock {
            guard refusal() == nil, case .idle = state.phase else { return nil }
            let run = makeRun()
            state.phase = .starting(run, waiters: [])
            return run
        }
        if let run { launch(run) }
    }

    /// Stops the app (SIGTERM, then SIGKILL after the shutdown limit) and starts nothing
    /// more; returns once every process has been reaped.
    public func shutdown() async {
        watcher?.stop()
        let waiters = lock.withLock {
            state.shuttingDown = true
            return retireCurrentRun()
        }
        let page = FrontErrorPage.shuttingDown()
        for waiter in waiters { waiter.resume(returning: .failure(page)) }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done: Bool = lock.withLock {
                if state.retiring.isEmpty { return true }
                state.shutdownWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// app_offline.htm appeared (its content) or went away (nil).
    func setOffline(_ page: [UInt8]?) {
        let (waiters, wasOffline): ([Waiter], Bool) = lock.withLock {
            let wasOffline = state.offlinePage != nil
            state.offlinePage = page
            return (page == nil ? [] : retireCurrentRun(), wasOffline)
        }
        if let page {
            let answer = FrontErrorPage.offline(page)
            for waiter in waiters { waiter.resume(returning: .failure(answer)) }
            if !wasOffline { options.log("\(AppOfflineWatcher.fileName) found: the app is stopped, and requests get 503 until it is removed.") }
        } else if wasOffline {
            options.log("\(AppOfflineWatcher.fileName) removed: the app starts on the next request.")
        }
    }

    // MARK: Runs

    /// Call with `lock` held: the page to answer with instead of the app, if any.
    private func refusal() -> FrontUnavailable? {
        if state.shuttingDown { return FrontErrorPage.shuttingDown() }
        if let page = state.offlinePage { return FrontErrorPage.offline(page) }
        guard case .idle = state.phase else { return nil }
        let now = MonotonicClock.now()
        guard let until = state.policy.blockedUntil(at: now) else { return nil }
        return FrontErrorPage.tooManyFailures(
            app: command.displayName, limit: state.policy.limit, window: options.rapidFailureWindow,
            retryInSeconds: max(1, (until - now + 999_999_999) / 1_000_000_000), lastFailure: state.lastFailure
        )
    }

    /// Call with `lock` held.
    private func makeRun() -> AppProcessRun {
        state.generation += 1
        return AppProcessRun(generation: state.generation, command: command, options: options)
    }

    /// Call with `lock` held: asks the current run to stop and returns the requests that
    /// were waiting for it to start.
    private func retireCurrentRun() -> [Waiter] {
        var waiters: [Waiter] = []
        switch state.phase {
        case .idle: return []
        case .starting(let run, let waiting):
            waiters = waiting
            state.retiring[run.generation] = run
            run.requestStop()
        case .running(let run, _):
            state.retiring[run.generation] = run
            run.requestStop()
        }
        state.phase = .idle
        return waiters
    }

    private func launch(_ run: AppProcessRun) {
        run.start(
            onReady: { [self] run, port in runBecameReady(run, port: port) },
            onEnd: { [self] run, ending in runEnded(run, ending) }
        )
    }

    private func runBecameReady(_ run: AppProcessRun, port: UInt16) {
        let (waiters, endpoint): ([Waiter], AppEndpoint?) = lock.withLock {
            guard case .starting(let current, let waiters) = state.phase, current === run else { return ([], nil) }
            let endpoint = AppEndpoint(port: port, token: run.token, generation: run.generation)
            state.phase = .running(run, endpoint)
            return (waiters, endpoint)
        }
        guard let endpoint else { return }
        for waiter in waiters { waiter.resume(returning: .success(endpoint)) }
    }

    private func runEnded(_ run: AppProcessRun, _ ending: AppProcessRun.Ending) {
        let (waiters, shutdownWaiters): ([Waiter], [CheckedContinuation<Void, Never>]) = lock.withLock {
            state.retiring[run.generation] = nil
            if let failure = ending.failure {
                state.policy.recordFailure(at: MonotonicClock.now())
                state.lastFailure = failure
            }
            var waiters: [Waiter] = []
            switch state.phase {
            case .starting(let current, let waiting) where current === run:
                waiters = waiting
                state.phase = .idle
            case .running(let current, _) where current === run:
                state.phase = .idle
            default:
                break
            }
            var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
            if state.retiring.isEmpty, case .idle = state.phase {
                shutdownWaiters = state.shutdownWaiters
                state.shutdownWaiters = []
            }
            return (waiters, shutdownWaiters)
        }

        if let failure = ending.failure {
            if ending.becameReady {
                options.log("The app \(command.displayName) \(failure.summary). It will be started again on the next request.")
            } else {
                options.log("The app \(command.displayName) \(failure.summary) before it was listening.")
            }
            let page = FrontErrorPage.startFailed(
                app: command.displayName, failure: failure, outputTail: options.showsOutputTail ? ending.outputTail : nil
            )
            for waiter in waiters { waiter.resume(returning: .failure(page)) }
        } else {
            // Stopped on request while starting: the request that stopped it answered its waiters.
            let page = FrontErrorPage.shuttingDown()
            for waiter in waiters { waiter.resume(returning: .failure(page)) }
        }
        for waiter in shutdownWaiters { waiter.resume() }
    }
}
