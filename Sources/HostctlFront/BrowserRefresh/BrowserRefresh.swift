import HostctlCore
import HostctlHosting

/// Browser refresh for `hostctl watch`, as `dotnet watch` does it: HTML pages that pass
/// through the front get a script tag, and the script listens to an event stream the front
/// serves itself (Server-Sent Events), which tells every open page to reload after each
/// swap, or shows a problem (a failed build's first errors) over it.
///
/// Its middleware goes before the forwarder in the front's pipeline: it answers
/// `eventsPath` and `scriptPath` itself, and for every other request puts a
/// `ScriptInjectingWriter` in front of the response's writer, so whatever writes the
/// response writes through it.
public final class BrowserRefresh: @unchecked Sendable {
    /// The event stream (`text/event-stream`).
    public static let eventsPath = "/_hostctl/watch"
    /// The script the pages' tag loads.
    public static let scriptPath = "/_hostctl/watch.js"

    /// What the page overlay shows: a title line and the lines under it.
    public struct Problem: Sendable, Equatable {
        public var title: String
        public var details: [String]

        public init(title: String, details: [String]) {
            self.title = title
            self.details = details
        }
    }

    enum Event: Equatable {
        case reload(version: Int)
        case problem(Problem)
    }

    private typealias EventWaiter = CheckedContinuation<Event?, Never>

    /// One open event stream: events not yet written, and its task waiting for one.
    private struct Subscriber {
        var pending: [Event] = []
        var waiter: EventWaiter?
    }

    private struct State {
        /// Successful swaps so far: pages are stamped with it.
        var version = 0
        var problem: Problem?
        var subscribers: [Int: Subscriber] = [:]
        var nextSubscriber = 0
        var closed = false
    }

    private let lock = Lock()
    private var state = State()

    public init() {}

    /// Tells every open page to reload: the app has been swapped for a new build.
    public func reload() {
        broadcast { state in
            state.version += 1
            state.problem = nil
            return .reload(version: state.version)
        }
    }

    /// Shows `problem` over every open page, and over pages opened later, until the next reload.
    public func show(_ problem: Problem) {
        broadcast { state in
            state.problem = problem
            return .problem(problem)
        }
    }

    /// Ends every event stream (the front is shutting down and drains its requests).
    public func close() {
        let waiters: [EventWaiter] = lock.withLock {
            state.closed = true
            var waiters: [EventWaiter] = []
            for (id, subscriber) in state.subscribers {
                if let waiter = subscriber.waiter { waiters.append(waiter) }
                state.subscribers[id]?.waiter = nil
            }
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Swaps so far.
    public var version: Int { lock.withLock { state.version } }

    // MARK: The pipeline

    /// The middleware, for the front's pipeline before the forwarder.
    public func handle(_ context: HTTPContext, next: RequestHandler) async throws {
        let request = context.request
        if request.method == .get || request.method == .head {
            switch request.path {
            case Self.eventsPath: return try await serveEvents(context)
            case Self.scriptPath: return try await serveScript(context)
            default: break
            }
        }
        guard let writer = context.response.writer else { return try await next(context) }
        let injecting = ScriptInjectingWriter(
            wrapping: writer, response: context.response, isHead: request.method == .head, snippet: BrowserRefreshScript.tag(version: version)
        )
        context.response.writer = injecting
        do {
            try await next(context)
            try await injecting.finish()
        } catch {
            context.response.writer = writer
            throw error
        }
        context.response.writer = writer
    }

    private func serveScript(_ context: HTTPContext) async throws {
        context.response.contentType = "text/javascript; charset=utf-8"
        context.response.headers["Cache-Control"] = "no-cache"
        try await context.response.write(BrowserRefreshScript.source)
    }

    /// The event stream, until the client goes away or the front closes it. A page whose
    /// `v` is older than the current version is told to reload at once (it was served by a
    /// run replaced since); a problem being shown is sent to every new stream.
    private func serveEvents(_ context: HTTPContext) async throws {
        let response = context.response
        response.contentType = "text/event-stream"
        response.headers["Cache-Control"] = "no-cache, no-transform"
        guard context.request.method == .get else { return }
        let seen = context.request.query["v"].flatMap { Int($0) }
        let opened: (id: Int, initial: [Event])? = lock.withLock {
            guard !state.closed else { return nil }
            var initial: [Event] = []
            if let seen, seen < state.version { initial.append(.reload(version: state.version)) }
            if let problem = state.problem { initial.append(.problem(problem)) }
            let id = state.nextSubscriber
            state.nextSubscriber += 1
            state.subscribers[id] = Subscriber()
            return (id, initial)
        }
        guard let (id, initial) = opened else {
            response.status = 503  // shutting down
            return
        }
        context.requestAborted.onAbort { [weak self] in self?.endStream(id) }
        defer { endStream(id) }

        // A short reconnection delay: the stream ends when the front restarts.
        try await response.write("retry: 1000\n\n")
        for event in initial { try await response.write(Self.text(of: event)) }
        try await response.flush()
        while let event = await nextEvent(for: id) {
            try await response.write(Self.text(of: event))
            try await response.flush()
        }
    }

    /// `event:` and one `data:` line per line of the payload (SSE joins them with newlines).
    static func text(of event: Event) -> String {
        switch event {
        case .reload(let version):
            return "event: reload\ndata: \(version)\n\n"
        case .problem(let problem):
            let lines = [problem.title] + problem.details
            return "event: problem\n" + lines.map { "data: " + $0.filter { $0 != "\r" && $0 != "\n" } + "\n" }.joined() + "\n"
        }
    }

    // MARK: Subscribers

    private func broadcast(_ change: (inout State) -> Event) {
        let ready: [(EventWaiter, Event)] = lock.withLock {
            let event = change(&state)
            var ready: [(EventWaiter, Event)] = []
            for (id, var subscriber) in state.subscribers {
                if let waiter = subscriber.waiter {
                    subscriber.waiter = nil
                    ready.append((waiter, event))
                } else {
                    Self.enqueue(event, into: &subscriber.pending)
                }
                state.subscribers[id] = subscriber
            }
            return ready
        }
        for (waiter, event) in ready { waiter.resume(returning: event) }
    }

    /// A reload makes anything before it moot; a newer problem replaces an older one.
    private static func enqueue(_ event: Event, into pending: inout [Event]) {
        switch event {
        case .reload: pending.removeAll()
        case .problem: pending.removeAll { if case .problem = $0 { true } else { false } }
        }
        pending.append(event)
    }

    /// The stream's next event; nil once it has ended (closed, or the client went away).
    private func nextEvent(for id: Int) async -> Event? {
        await withCheckedContinuation { (continuation: EventWaiter) in
            let answer: Event?? = lock.withLock {
                guard !state.closed, var subscriber = state.subscribers[id] else { return .some(nil) }
                if !subscriber.pending.isEmpty {
                    let event = subscriber.pending.removeFirst()
                    state.subscribers[id] = subscriber
                    return .some(event)
                }
                subscriber.waiter = continuation
                state.subscribers[id] = subscriber
                return .none
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    private func endStream(_ id: Int) {
        let waiter: EventWaiter? = lock.withLock { state.subscribers.removeValue(forKey: id)?.waiter }
        waiter?.resume(returning: nil)
    }
}
