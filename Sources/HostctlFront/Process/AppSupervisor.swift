import Hostctl
import HostctlSystem

/// The process half of the front (ANCM's process manager): starts the app when the
/// first request needs it, hands every request its address, notices when it dies and
/// starts it again on the next request, within the rapid-failure limit; takes it offline
/// while `app_offline.htm` exists; stops it gracefully at shutdown.
///
/// Requests that arrive while the app starts wait for that one start; each run of the app
/// is an `AppProcessRun` on a thread of its own.
///
/// **Swaps** (`hostctl watch`): `swap(to:)` starts a new build as the *next* run beside
/// the *current* one, on its own port. Until the next run is ready every request goes to
/// the current one; from then on every request goes to the next one, which becomes
/// current. The run it replaced is stopped once the requests that were handed its address
/// have released it (`release(_:)`), or at `swapDrainLimit`, so a request on its way to it
/// is never cut off; the forwarding half never reuses a pooled connection across runs. A
/// next run that fails to start is reaped and the current one goes on serving.
public final class AppSupervisor: AppEndpointSource, @unchecked Sendable {
    public let options: AppSupervisorOptions

    private typealias Waiter = CheckedContinuation<Result<AppEndpoint, FrontUnavailable>, Never>
    private typealias SwapWaiter = CheckedContinuation<SwapOutcome, Never>

    /// A run that is starting, with whoever waits for it: requests (only for the run that
    /// is to serve them) and the swap that started it.
    private struct Pending {
        let run: AppProcessRun
        var waiters: [Waiter] = []
        var swap: SwapWaiter?
    }

    /// The current run.
    private enum Phase {
        case idle
        case starting(Pending)
        case running(AppProcessRun, AppEndpoint)
    }

    /// Whoever removes a `Pending` from the state answers its waiters and its swap.
    private struct State {
        /// What the next start runs; a swap replaces it.
        var command: AppCommand
        var phase = Phase.idle {
            didSet {
                if case .running(_, let endpoint) = phase { running = endpoint } else { running = nil }
            }
        }
        /// The running run's address, as in `phase`: what every request reads (without
        /// copying the phase and its run).
        private(set) var running: AppEndpoint? {
            didSet { runningGeneration = running?.generation ?? -1 }
        }
        private(set) var runningGeneration = -1
        /// The run a swap started beside a running one, until it is ready or has failed.
        var next: Pending?
        /// Requests handed the running app's address that have not released it.
        var currentLeases = 0
        /// Replaced runs still finishing requests: how many they still have. Each is
        /// stopped when its count reaches zero.
        var draining: [Int: Int] = [:]
        var generation = 0
        var policy: RapidFailurePolicy
        var lastFailure: AppFailure?
        var lastOutputTail: [String] = []
        /// app_offline.htm's content while it exists.
        var offlinePage: [UInt8]?
        var shuttingDown = false
        /// Runs asked to stop (or found dead) whose end has not been reported yet.
        var retiring: [Int: AppProcessRun] = [:]
        /// Runs found dead by the forwarding half while current: their end is reported as
        /// the current run's would have been.
        var foundDead: Set<Int> = []
        /// `shutdown()` callers waiting for every run to end.
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let lock = Lock()
    /// Guarded by `lock`: the run-time exclusivity check would only repeat what the lock assures.
    @exclusivity(unchecked) private var state: State
    private var watcher: AppOfflineWatcher?

    public init(command: AppCommand, options: AppSupervisorOptions = AppSupervisorOptions()) {
        self.options = options
        state = State(command: command, policy: RapidFailurePolicy(limit: options.rapidFailureLimit, window: options.rapidFailureWindow))
        if let directory = options.appOfflineDirectory {
            watcher = AppOfflineWatcher(directory: directory, interval: options.appOfflinePollInterval) { [unowned self] page in
                setOffline(page)
            }
        }
    }

    /// What the next start runs: the command given at first, then the last swap's.
    public var command: AppCommand { lock.withLock { state.command } }

    // MARK: AppEndpointSource

    public func endpointIfRunning() -> AppEndpoint? {
        lock.withLock {
            guard let endpoint = state.running, state.offlinePage == nil, !state.shuttingDown else { return nil }
            state.currentLeases += 1
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
                    state.currentLeases += 1
                    return .answer(.success(endpoint))
                case .starting(var pending):
                    pending.waiters.append(continuation)
                    state.phase = .starting(pending)
                    return .wait
                case .idle:
                    guard options.startsOnRequest else { return .answer(.failure(notRunningPage())) }
                    let run = makeRun()
                    state.phase = .starting(Pending(run: run, waiters: [continuation]))
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

    public func release(_ endpoint: AppEndpoint) {
        let drained: AppProcessRun? = lock.withLock {
            if state.runningGeneration == endpoint.generation {
                state.currentLeases = max(0, state.currentLeases - 1)
                return nil
            }
            guard let count = state.draining[endpoint.generation] else { return nil }
            if count > 1 {
                state.draining[endpoint.generation] = count - 1
                return nil
            }
            state.draining[endpoint.generation] = nil
            return state.retiring[endpoint.generation]
        }
        drained?.requestStop()
    }

    public func connectionFailed(_ endpoint: AppEndpoint) {
        // A refused connection usually means the app died a moment ago; if so, the next
        // request should not be handed the dead address again. (The run reports the exit
        // itself, with its cause, when it has reaped it.)
        lock.withLock {
            guard case .running(let run, let current) = state.phase, current.generation == endpoint.generation,
                  run.hasExited() else { return }
            state.retiring[run.generation] = run
            state.foundDead.insert(run.generation)
            currentRunGone()
        }
    }

    // MARK: Control

    /// Starts the app now rather than on the first request (`startMode: "always"`).
    /// A failure is logged; requests then find the app idle and try again.
    public func startNow() {
        let run: AppProcessRun? = lock.withLock {
            guard refusal() == nil, case .idle = state.phase else { return nil }
            let run = makeRun()
            state.phase = .starting(Pending(run: run))
            return run
        }
        if let run { launch(run) }
    }

    /// Starts `command` beside the running app and moves the traffic to it once it is
    /// ready; returns when it serves or has failed (see the type's notes). With no app
    /// running, it is simply started, and requests wait for it. `command` is what later
    /// starts run, whatever the outcome.
    public func swap(to command: AppCommand) async -> SwapOutcome {
        await withCheckedContinuation { (continuation: SwapWaiter) in
            enum Next { case refuse, launch(AppProcessRun, superseded: Pending?) }
            let next: Next = lock.withLock {
                state.command = command
                if state.shuttingDown || state.offlinePage != nil { return .refuse }
                let run = makeRun()
                var superseded: Pending?
                switch state.phase {
                case .idle:
                    state.phase = .starting(Pending(run: run, swap: continuation))
                case .starting(let pending):
                    // Not serving yet: the newer build takes its place, and its waiting requests.
                    superseded = Pending(run: pending.run, swap: pending.swap)
                    state.phase = .starting(Pending(run: run, waiters: pending.waiters, swap: continuation))
                case .running:
                    superseded = state.next
                    state.next = Pending(run: run, swap: continuation)
                }
                if let superseded { state.retiring[superseded.run.generation] = superseded.run }
                return .launch(run, superseded: superseded)
            }
            guard case .launch(let run, let superseded) = next else {
                continuation.resume(returning: .notStarted)
                return
            }
            if let superseded {
                superseded.run.requestStop()
                superseded.swap?.resume(returning: .superseded)
            }
            launch(run)
        }
    }

    /// Stops the app (SIGTERM, then SIGKILL after the shutdown limit) and starts nothing
    /// more; returns once every process has been reaped.
    public func shutdown() async {
        watcher?.stop()
        let abandoned = lock.withLock {
            state.shuttingDown = true
            return retireEveryRun()
        }
        abandoned.answer(with: FrontErrorPage.shuttingDown())
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
        let (abandoned, wasOffline): (Abandoned, Bool) = lock.withLock {
            let wasOffline = state.offlinePage != nil
            state.offlinePage = page
            return (page == nil ? Abandoned() : retireEveryRun(), wasOffline)
        }
        if let page {
            abandoned.answer(with: FrontErrorPage.offline(page))
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
        guard case .idle = state.phase, options.startsOnRequest else { return nil }
        let now = options.clock()
        guard let until = state.policy.blockedUntil(at: now) else { return nil }
        return FrontErrorPage.tooManyFailures(
            app: state.command.displayName, limit: state.policy.limit, window: options.rapidFailureWindow,
            retryInSeconds: max(1, (until - now + 999_999_999) / 1_000_000_000), lastFailure: state.lastFailure
        )
    }

    /// Call with `lock` held: the page for requests while nothing runs and nothing starts
    /// on a request (hostctl watch, until the next successful build).
    private func notRunningPage() -> FrontUnavailable {
        FrontErrorPage.notRunning(
            app: state.command.displayName, lastFailure: state.lastFailure,
            outputTail: options.showsOutputTail ? state.lastOutputTail : nil
        )
    }

    /// Call with `lock` held.
    private func makeRun() -> AppProcessRun {
        state.generation += 1
        return AppProcessRun(generation: state.generation, command: state.command, options: options)
    }

    /// Call with `lock` held: the current run has ended. A swap's next run, if one is
    /// starting, takes its place (requests wait for it); otherwise nothing runs.
    private func currentRunGone() {
        state.currentLeases = 0
        if let next = state.next {
            state.next = nil
            state.phase = .starting(next)
        } else {
            state.phase = .idle
        }
    }

    /// What retiring every run left unanswered.
    private struct Abandoned {
        var waiters: [Waiter] = []
        var swaps: [SwapWaiter] = []

        func answer(with page: FrontUnavailable) {
            for waiter in waiters { waiter.resume(returning: .failure(page)) }
            for swap in swaps { swap.resume(returning: .notStarted) }
        }
    }

    /// Call with `lock` held: asks every run to stop now (app_offline.htm, shutdown) and
    /// returns who was waiting for one to start.
    private func retireEveryRun() -> Abandoned {
        var abandoned = Abandoned()
        func retire(_ run: AppProcessRun) {
            state.retiring[run.generation] = run
            run.requestStop()
        }
        switch state.phase {
        case .idle:
            break
        case .starting(let pending):
            abandoned.waiters = pending.waiters
            if let swap = pending.swap { abandoned.swaps.append(swap) }
            retire(pending.run)
        case .running(let run, _):
            retire(run)
        }
        if let next = state.next {
            if let swap = next.swap { abandoned.swaps.append(swap) }
            retire(next.run)
        }
        for generation in state.draining.keys {
            if let run = state.retiring[generation] { run.requestStop() }
        }
        state.draining = [:]
        state.next = nil
        state.currentLeases = 0
        state.phase = .idle
        return abandoned
    }

    private func launch(_ run: AppProcessRun) {
        run.start(
            onReady: { [self] run, port in runBecameReady(run, port: port) },
            onEnd: { [self] run, ending in runEnded(run, ending) }
        )
    }

    private func runBecameReady(_ run: AppProcessRun, port: UInt16) {
        let endpoint = AppEndpoint(port: port, token: run.token, generation: run.generation)
        let ready: Pending? = lock.withLock {
            if case .starting(let pending) = state.phase, pending.run === run {
                state.phase = .running(run, endpoint)
                state.currentLeases = pending.waiters.count
                return pending
            }
            guard let next = state.next, next.run === run, case .running(let replaced, _) = state.phase else { return nil }
            // The swap: every request from now on goes to the new run.
            state.phase = .running(run, endpoint)
            state.next = nil
            state.retiring[replaced.generation] = replaced
            if state.currentLeases > 0 {
                state.draining[replaced.generation] = state.currentLeases
                replaced.requestStop(after: options.swapDrainLimit)
            } else {
                replaced.requestStop()
            }
            state.currentLeases = 0
            return next
        }
        guard let ready else { return }
        for waiter in ready.waiters { waiter.resume(returning: .success(endpoint)) }
        ready.swap?.resume(returning: .swapped(endpoint))
    }

    private func runEnded(_ run: AppProcessRun, _ ending: AppProcessRun.Ending) {
        enum Role { case current(Pending?), next(Pending), other }
        let (role, shutdownWaiters): (Role, [CheckedContinuation<Void, Never>]) = lock.withLock {
            state.retiring[run.generation] = nil
            state.draining[run.generation] = nil
            var role = Role.other
            switch state.phase {
            case .starting(let pending) where pending.run === run:
                role = .current(pending)
                currentRunGone()
            case .running(let current, _) where current === run:
                role = .current(nil)
                currentRunGone()
            default:
                if let next = state.next, next.run === run {
                    role = .next(next)
                    state.next = nil
                } else if state.foundDead.remove(run.generation) != nil {
                    role = .current(nil)
                }
            }
            if case .current = role, let failure = ending.failure {
                state.policy.recordFailure(at: options.clock())
                state.lastFailure = failure
                state.lastOutputTail = ending.outputTail
            }
            var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
            if state.retiring.isEmpty, state.next == nil, case .idle = state.phase {
                shutdownWaiters = state.shutdownWaiters
                state.shutdownWaiters = []
            }
            return (role, shutdownWaiters)
        }

        let failure = ending.failure ?? .ended(ending.status ?? .exited(0))
        switch role {
        case .next(let pending):
            // Only a failure ends a next run that is still next (a stop takes it out first).
            pending.swap?.resume(returning: .failed(failure, outputTail: ending.outputTail))
        case .current(let pending?):
            reportFailedStart(pending, ending)
        case .current(nil):
            guard let failure = ending.failure else { break }
            if options.startsOnRequest {
                options.log("The app \(run.command.displayName) \(failure.summary). It will be started again on the next request.")
            }
            options.onUnexpectedExit?(failure)
        case .other:
            break
        }
        for waiter in shutdownWaiters { waiter.resume() }
    }

    /// The run that was to serve requests ended before it was ready.
    private func reportFailedStart(_ pending: Pending, _ ending: AppProcessRun.Ending) {
        guard let failure = ending.failure else {
            // Stopped on request while starting: whatever stopped it answered for it.
            let page = FrontErrorPage.shuttingDown()
            for waiter in pending.waiters { waiter.resume(returning: .failure(page)) }
            pending.swap?.resume(returning: .notStarted)
            return
        }
        if let swap = pending.swap {
            swap.resume(returning: .failed(failure, outputTail: ending.outputTail))  // the swap's caller reports it
        } else {
            options.log("The app \(pending.run.command.displayName) \(failure.summary) before it was listening.")
        }
        let page = FrontErrorPage.startFailed(
            app: pending.run.command.displayName, failure: failure, outputTail: options.showsOutputTail ? ending.outputTail : nil
        )
        for waiter in pending.waiters { waiter.resume(returning: .failure(page)) }
    }
}
