import Glibc
import HostctlFront
import HostctlHosting
import HostctlSupervisor
import HostctlSystem

/// One `hostctl watch`: the app behind the front on its public URLs, and a loop on the
/// calling thread that waits for changes, keys and signals, builds, and swaps each good
/// build in (`AppSupervisor.swap(to:)`), so no request ever meets a restarting app.
///
/// The loop is the only owner of the signal relay and the build; everything that happens
/// elsewhere (the front listening or ending, a swap's outcome, the app exiting) arrives
/// as a message in its inbox.
final class WatchSession {
    enum Message: Sendable {
        case frontListening
        case frontFinished(Int32)
        case swapFinished(SwapOutcome)
        case appExited(AppFailure)
    }

    private enum BuildResult {
        /// The executable to run.
        case built(String)
        case failed
        case interrupted
    }

    /// After a change, the build waits for this much quiet (an editor's save is several
    /// events), but never longer than `longestSettle` after the first change.
    static let settleTime: Int64 = 20_000_000
    static let longestSettle: Int64 = 500_000_000

    private let options: WatchOptions
    private let environment: ProcessEnvironment
    private let reporter: Reporter
    private let say: WatchReporter
    private let package: PackageLocation
    private var plan: LaunchPlan
    private let relay: SignalRelay
    private let watcher: SourceWatcher
    private let inbox: WatchInbox<Message>
    private let diagnostics: BuildDiagnostics
    private let refresh: BrowserRefresh?
    private let stop = StopLatch()
    private var front: FrontHost?

    private var frontListening = false
    /// The first build's executable, started once the front listens.
    private var pendingStart: String?
    /// A build serves requests (none before the first start, or after the app exited).
    private var isServing = false
    private var stopping = false
    private var browsers: [ChildProcess] = []
    private var openedBrowser = false

    init(options: WatchOptions, environment: ProcessEnvironment, reporter: Reporter) throws(HostctlFailure) {
        self.options = options
        self.environment = environment
        self.reporter = reporter
        say = WatchReporter(reporter: reporter)
        let package = try PackageLocation.resolve(project: options.run.project, purpose: "to watch")
        var plan = RunCommand(environment: environment, console: reporter.console).makePlan(options.run, package: package, reporter: reporter)
        plan.printsBuildingMessage = false  // every build says "Building..." in watch's own words
        self.package = package
        self.plan = plan
        // Before any thread starts: the relay's signals must be blocked in all of them.
        relay = try SignalRelay.forChildren()
        do {
            watcher = try SourceWatcher()
            inbox = try WatchInbox()
        } catch {
            throw HostctlFailure("hostctl watch cannot watch files here: \(error).")
        }
        diagnostics = BuildDiagnostics(packageDirectory: package.directory)
        let environmentName = AppCommand(executable: "", environment: plan.environment).environmentName
        refresh = environmentName.lowercased() == "development" && options.refreshesBrowser ? BrowserRefresh() : nil
        watcher.watchTree(package.directory)
        for directory in LocalDependencies.read(package: package) ?? [] { watcher.watchTree(directory) }
    }

    /// Runs until Ctrl+C (or SIGTERM): 0 then; 1 when the front cannot listen.
    func run() -> Int32 {
        let terminal = TerminalMode.enterCharacterMode(STDIN_FILENO)
        defer { terminal?.restore() }
        if terminal != nil { say.info(.hint, "Press \"Ctrl + R\" to restart.") }

        switch build(noBuild: options.run.noBuild) {
        case .built(let executable): pendingStart = executable
        case .failed: break
        case .interrupted: return 128 + SIGINT
        }
        startFront()
        let code = loop(readsKeys: terminal != nil)
        for browser in browsers { browser.reapIfExited() }
        return code
    }

    // MARK: The loop

    private func loop(readsKeys: Bool) -> Int32 {
        var readsKeys = readsKeys
        var changed: [String] = []
        var firstChangeAt: Int64?
        var settleAt: Int64?
        var restartRequested = false
        while true {
            let now = MonotonicClock.now()
            let canBuild = frontListening && !stopping
            if canBuild, restartRequested || settleAt.map({ now >= $0 }) == true {
                let more = rebuild(after: changed, restart: restartRequested)
                // Changes made during the build make one more build (the last one is swapped in).
                changed = more
                restartRequested = restartRequested && !more.isEmpty
                firstChangeAt = more.isEmpty ? nil : MonotonicClock.now()
                settleAt = firstChangeAt.map { $0 + Self.settleTime }
                continue
            }

            var descriptors = [relay.descriptor, inbox.descriptor, watcher.descriptor].map {
                pollfd(fd: $0, events: Int16(POLLIN), revents: 0)
            }
            if readsKeys { descriptors.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
            let timeout = canBuild ? settleAt.map { Int32(clamping: max(0, ($0 - now + 999_999) / 1_000_000)) } ?? -1 : -1
            if poll(&descriptors, nfds_t(descriptors.count), timeout) < 0, errno != EINTR { usleep(10_000) }

            for record in relay.drain() where SignalPolicy.handled.contains(record.signal) {
                // A second Ctrl+C does not wait for the drain (the app gets its parent-death signal).
                if stopping { return 128 + record.signal }
                requestStop()
            }
            for message in inbox.take() {
                if case .frontFinished(let code) = message { return stopping ? 0 : code }
                handle(message)
            }
            let fresh = watcher.changes()
            if !fresh.isEmpty, !stopping {
                for path in fresh where !changed.contains(path) { changed.append(path) }
                let seen = MonotonicClock.now()
                let first = firstChangeAt ?? seen
                firstChangeAt = first
                settleAt = min(seen + Self.settleTime, first + Self.longestSettle)
            }
            if readsKeys, descriptors.last?.revents ?? 0 != 0 {
                var keys = [UInt8](repeating: 0, count: 64)
                let count = read(STDIN_FILENO, &keys, keys.count)
                if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) { readsKeys = false }
                if count > 0, keys[0..<count].contains(Self.controlR), !stopping { restartRequested = true }
            }
        }
    }

    /// Ctrl+R as the terminal sends it in character mode.
    private static let controlR: UInt8 = 0x12

    private func handle(_ message: Message) {
        switch message {
        case .frontListening:
            frontListening = true
            if let executable = pendingStart {
                pendingStart = nil
                swap(to: executable)
            } else {
                say.waitingForChange()
            }
        case .swapFinished(.swapped):
            isServing = true
            say.info(.launch, "Started")
            refresh?.reload()
            openBrowserOnce()
        case .swapFinished(.failed(let failure, let outputTail)):
            let ended = if case .ended = failure { " before it was listening" } else { "" }
            say.error(Self.describe(failure) + ended + (isServing ? "; the last good build keeps serving." : "."))
            refresh?.show(.init(title: "The app \(failure.summary)\(ended).", details: Array(outputTail.suffix(20))))
            say.waitingForChange()
        case .swapFinished(.superseded), .swapFinished(.notStarted), .frontFinished:
            break
        case .appExited(let failure):
            isServing = false
            if case .ended(.exited(0)) = failure {
                say.info(.watch, "Exited")
            } else {
                say.error(Self.describe(failure) + ".")
            }
            refresh?.show(.init(title: "The app \(failure.summary).", details: ["hostctl watch starts it again after the next change (or Ctrl+R)."]))
            say.waitingForChange()
        }
    }

    private func requestStop() {
        stopping = true
        say.info(.stop, "Shutdown requested. Press Ctrl+C again to force exit.")
        stop.request()
    }

    // MARK: Building and swapping

    /// Builds after `changed` (or Ctrl+R) and swaps the build in; returns the changes seen
    /// during the build, which make one more build instead of a swap.
    private func rebuild(after changed: [String], restart: Bool) -> [String] {
        // A file that came and went (sed -i's, an editor's temporary) changed nothing.
        let changed = changed.filter { FileSystem.linkStatus($0) != nil || !watcher.created.contains($0) }
        watcher.forgetCreated()
        guard !changed.isEmpty || restart else { return [] }
        for path in changed.prefix(10) { say.info(.watch, "File changed: \(display(path))") }
        if changed.count > 10 { say.info(.watch, "\(changed.count - 10) more files changed.") }
        if restart { say.info(.restart, "Restart requested.") }
        switch build() {
        case .interrupted:
            requestStop()
        case .failed:
            say.waitingForChange()
        case .built(let executable):
            let more = watcher.changes()
            if !more.isEmpty { return more }
            swap(to: executable)
        }
        return []
    }

    private func build(noBuild: Bool = false) -> BuildResult {
        diagnostics.reset()
        if !noBuild { say.info(.build, "Building...") }
        var runOptions = options.run
        runOptions.noBuild = noBuild
        do {
            let executable = try RunCommand(environment: environment, console: reporter.console).prepareExecutable(
                plan, options: runOptions, package: package, reporter: reporter, relay: relay, diagnostics: diagnostics
            )
            // Later builds name the product, which spares them a `swift package describe`.
            if case .product(nil) = plan.target { plan.target = .product(FilePath.lastComponent(executable)) }
            for directory in LocalDependencies.read(package: package) ?? [] where !watcher.roots.contains(directory) {
                watcher.watchTree(directory)
            }
            return .built(executable)
        } catch {
            if error.exitCode > 128 { return .interrupted }
            if error != PackageBuilder.buildFailed, !error.message.isEmpty { reporter.error(error.message) }
            say.error(
                "Build failed" + (isServing ? ": the last good build keeps serving." : ".")
                    + " Fix the error to continue or press Ctrl+C to exit."
            )
            let details = diagnostics.errors.isEmpty ? [error.message.trimmingNewlines] : diagnostics.errors
            refresh?.show(.init(title: "The build failed.", details: details))
            return .failed
        }
    }

    private func swap(to executable: String) {
        guard let supervisor = front?.supervisor else { return }
        let command = appCommand(executable)
        let inbox = inbox
        Task.detached { inbox.post(.swapFinished(await supervisor.swap(to: command))) }
    }

    /// The front on the plan's URLs, whatever the profile's commandName, serving nothing
    /// until the first swap; requests meanwhile get a page saying so.
    private func startFront() {
        var frontOptions = FrontOptions(
            publicURLs: FrontLauncher(reporter: reporter, hostEnvironment: environment).servableURLs(plan.frontURLs)
        )
        let command = appCommand(pendingStart ?? expectedExecutable)
        frontOptions.supervisor.startsOnRequest = false
        frontOptions.supervisor.appOfflineDirectory = package.directory
        frontOptions.supervisor.showsOutputTail = command.environmentName.lowercased() == "development"
        frontOptions.supervisor.outputLinePrefix = FilePath.lastComponent(command.executable) + " | "
        let inbox = inbox
        frontOptions.supervisor.onUnexpectedExit = { inbox.post(.appExited($0)) }
        frontOptions.onStarted = { inbox.post(.frontListening) }
        frontOptions.browserRefresh = refresh
        let front = FrontHost(command: command, options: frontOptions)
        self.front = front
        let stop = stop
        Task.detached { inbox.post(.frontFinished(await front.serve(until: stop))) }
    }

    private func appCommand(_ executable: String) -> AppCommand {
        AppCommand(executable: executable, arguments: plan.arguments, environment: plan.environment, workingDirectory: plan.workingDirectory)
    }

    /// Where the product will be, before a build has said (the first build failed).
    private var expectedExecutable: String {
        switch plan.target {
        case .executable(let path): path
        case .product(let name): FilePath.join(package.binaryDirectory(options.run.configuration), name ?? FilePath.lastComponent(package.directory))
        }
    }

    private func openBrowserOnce() {
        guard !openedBrowser, let url = plan.browserURL else { return }
        openedBrowser = true
        if let browser = BrowserOpener(environment: environment, reporter: reporter).open(url) { browsers.append(browser) }
    }

    /// A path for messages: relative to the package when inside it.
    private func display(_ path: String) -> String {
        path.hasPrefix(package.directory + "/") ? String(path.dropFirst(package.directory.count + 1)) : path
    }

    /// `dotnet watch`'s words for an app that ended: "Exited with error code N".
    static func describe(_ failure: AppFailure) -> String {
        switch failure {
        case .ended(.exited(let code)): "Exited with error code \(code)"
        case .ended(.signaled(let signal)): "Exited: killed by signal \(signal) (\(SignalNames.name(of: signal)))"
        default: "The app \(failure.summary)"
        }
    }
}

extension String {
    fileprivate var trimmingNewlines: String {
        String(drop { $0 == "\n" }.reversed().drop { $0 == "\n" }.reversed())
    }
}
