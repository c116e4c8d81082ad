import HostctlCore
import HostctlTransport
import Testing

/// What the loop core gives every transport alike: the current loop, work after a batch,
/// per-loop state with its heartbeat and its end.
@Suite struct LoopCoreTests {
    @Test(arguments: TransportUnderTest.allCases) func theCurrentLoopIsKnownOnItsThreadOnly(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        #expect(EventLoop.current == nil)
        let current = try running.onLoop { EventLoop.current.map(ObjectIdentifier.init) }
        #expect(current == ObjectIdentifier(running.loop))
    }

    @Test(arguments: TransportUnderTest.allCases) func afterEventsWorkRunsOnceTheBatchsWorkIsDone(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        defer { running.stop() }
        let order = Monitor<[String]>([])
        let loop = running.loop
        loop.execute {
            loop.afterEvents { order.update { $0.append("after events") } }
            loop.runSoon { order.update { $0.append("queued") } }
            order.update { $0.append("event") }
        }
        #expect(order.wait { $0.count == 3 } == ["event", "queued", "after events"])
    }

    @Test(arguments: TransportUnderTest.allCases) func localStateIsOnePerKeyAndHearsTheHeartbeatAndTheEnd(_ transport: TransportUnderTest) throws {
        let running = try transport.start()
        let log = Monitor<[String]>([])
        let same = try running.onLoop {
            let first = running.loop.localState(key: 1) { RecordingState("one", log) }
            let again = running.loop.localState(key: 1) { RecordingState("again", log) }
            _ = running.loop.localState(key: 2) { RecordingState("two", log) }
            return first === again
        }
        #expect(same)
        let heard = log.wait { $0.contains("one: heartbeat") && $0.contains("two: heartbeat") }
        #expect(heard != nil, "each state hears the heartbeat (once a second)")
        running.stop()
        #expect(log.current.filter { $0.hasSuffix("stop") }.sorted() == ["one: stop", "two: stop"], "and the loop's end, once each")
        #expect(log.current.last?.hasSuffix("stop") == true)
        #expect(!log.current.contains { $0.hasPrefix("again") })
    }
}

private final class RecordingState: LoopLocalState {
    let name: String
    let log: Monitor<[String]>
    init(_ name: String, _ log: Monitor<[String]>) {
        self.name = name
        self.log = log
    }
    func heartbeat(now: Int64) { log.update { $0.append("\(name): heartbeat") } }
    func loopWillStop() { log.update { $0.append("\(name): stop") } }
}
