import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Synchronization
import Testing

/// HTTP.sys's request queue limit: requests in the app, counted across connections.
@Suite struct RequestQueueTests {
    /// Holds the first connection's request in the app: its body has not all arrived.
    static let heldPost = "POST /held HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab"
    static let get = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n"

    /// A handler that reads the body, then answers with the path; counts its calls.
    static func harness(limit: Int = 1, fullResponse: RequestQueueFullResponse = .reset, extras: Bool = true) -> (Harness, CallCounter) {
        let calls = CallCounter()
        let harness = Harness(options: {
            $0.requestQueueLimit = limit
            $0.requestQueueFullResponse = fullResponse
        }, httpSysExtras: extras) { context in
            calls.increment()
            _ = try await context.request.body.drain()
            try await context.response.write("path=\(context.request.path)")
        }
        return (harness, calls)
    }

    func inQueue(_ harness: Harness) -> Int { harness.core.extras?.requestQueue.current ?? -1 }

    @Test func aFullQueueResetsTheConnectionByDefault() {
        let (harness, calls) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.heldPost)
        #expect(inQueue(harness) == 1)

        let second = harness.connect()
        harness.feed(Self.get, into: second.connection)
        #expect(second.transport.wasReset, "a TCP reset, as HTTP.sys's Basic verbosity")
        #expect(second.transport.takeSent().isEmpty)
        #expect(calls.count == 1, "the app never saw the second request")

        harness.feed("cd")
        #expect(harness.transport.takeSent().hasSuffix("path=/held"))
        #expect(inQueue(harness) == 0)
        let third = harness.connect()
        harness.feed(Self.get, into: third.connection)
        #expect(third.transport.takeSent().hasSuffix("path=/next"), "room again once the first completed")
    }

    @Test func aFullQueueAnswers503WhenAsked() {
        let (harness, calls) = Self.harness(fullResponse: .serviceUnavailable)
        defer { harness.finish() }
        harness.feed(Self.heldPost)
        let second = harness.connect()
        harness.feed(Self.get + Self.get, into: second.connection)
        let sent = second.transport.takeSent()
        #expect(sent.hasPrefix("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n"))
        #expect(sent.count(of: "HTTP/1.1") == 1, "the pipelined request behind it is dropped with the connection")
        #expect(second.transport.closed && !second.transport.wasReset)
        #expect(calls.count == 1)
        #expect(inQueue(harness) == 1)
    }

    @Test func theCountReturnsToZeroAfterEachResponse() {
        let (harness, calls) = Self.harness(limit: 1)
        defer { harness.finish() }
        harness.feed(Self.get + Self.get + Self.get)
        #expect(harness.transport.takeSent().count(of: "HTTP/1.1 200 OK") == 3, "one at a time fits a queue of one")
        #expect(calls.count == 3)
        #expect(inQueue(harness) == 0)
        #expect(!harness.transport.closed)
    }

    @Test func anAppErrorLeavesTheQueue() {
        let harness = Harness(options: { $0.requestQueueLimit = 1 }, httpSysExtras: true) { _ in throw HTTPError(404) }
        defer { harness.finish() }
        harness.feed(Self.get + Self.get)
        #expect(harness.transport.takeSent().count(of: "HTTP/1.1 404 Not Found") == 2)
        #expect(harness.core.extras?.requestQueue.current == 0)
    }

    @Test func anErrorAfterTheResponseStartedLeavesTheQueue() {
        let harness = Harness(httpSysExtras: true) { context in
            try await context.response.flush()
            throw HTTPError(500)
        }
        defer { harness.finish() }
        harness.feed(Self.get)
        harness.loop.runUntilIdle()
        #expect(harness.transport.closed, "aborted: the response had started")
        #expect(harness.core.extras?.requestQueue.current == 0)
    }

    @Test func aClientThatLeavesGivesItsPlaceBack() {
        let (harness, _) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.heldPost)
        #expect(inQueue(harness) == 1)
        harness.connection.inputClosed()
        harness.loop.runUntilIdle()
        #expect(harness.transport.closed)
        #expect(inQueue(harness) == 0)
    }

    @Test func anAbortGivesThePlaceBackEvenBeforeTheAppReturns() {
        let (harness, _) = Self.harness()
        harness.feed(Self.heldPost)
        // What the server does to requests still running when its shutdown timeout passes.
        harness.connection.abort(reason: "shutting down")
        #expect(inQueue(harness) == 0)
        harness.loop.runUntilIdle()
        #expect(inQueue(harness) == 0)
    }

    @Test func theAppAbortingItsRequestGivesThePlaceBack() {
        let harness = Harness(httpSysExtras: true) { context in context.abort() }
        harness.feed(Self.get)
        #expect(harness.transport.closed)
        #expect(harness.core.extras?.requestQueue.current == 0)
    }

    @Test func withoutTheExtrasTheLimitIsIgnored() {
        let (harness, calls) = Self.harness(limit: 1, extras: false)
        defer { harness.finish() }
        harness.feed(Self.heldPost)
        let second = harness.connect()
        harness.feed(Self.get, into: second.connection)
        #expect(second.transport.takeSent().hasSuffix("path=/next"))
        #expect(calls.count == 2)
        #expect(harness.core.extras == nil && harness.connection.extras == nil)
    }
}

/// Counts calls from handlers, which run on the test's thread (the manual loop's executor).
final class CallCounter: @unchecked Sendable {
    private(set) var count = 0
    func increment() { count += 1 }
}

/// The queue's counter alone: one loop's load-and-store form and the shared form agree.
@Suite struct RequestQueueCounterTests {
    @Test(arguments: [true, false]) func placesAreTakenUpToTheLimitAndGivenBack(oneLoop: Bool) {
        let queue = RequestQueue(limit: 2, oneLoop: oneLoop)
        #expect(queue.enter())
        #expect(queue.enter())
        #expect(!queue.enter(), "the limit holds")
        #expect(queue.current == 2)
        queue.leave()
        #expect(queue.current == 1)
        #expect(queue.enter())
        #expect(!queue.enter())
        queue.leave()
        queue.leave()
        #expect(queue.current == 0)
    }

    /// Loops entering and leaving at once never lose a place, nor go past the limit.
    @Test func sharedAcrossThreadsNoPlaceIsLost() async {
        let queue = RequestQueue(limit: 3)
        // Places held at once, counted apart from the queue (whose own count goes past the
        // limit for an instant while a refused place is given back).
        let held = HeldPlaces()
        let overLimit = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var over = 0
                    for _ in 0..<20_000 where queue.enter() {
                        if held.count.wrappingAdd(1, ordering: .relaxed).newValue > 3 { over += 1 }
                        held.count.wrappingSubtract(1, ordering: .relaxed)
                        queue.leave()
                    }
                    return over
                }
            }
            return await group.reduce(0, +)
        }
        #expect(overLimit == 0)
        #expect(queue.current == 0)
    }
}

private final class HeldPlaces: Sendable {
    let count = Atomic<Int>(0)
}
