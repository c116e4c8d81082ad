import Glibc
@testable import HostctlHosting
import HostctlSystem
import Synchronization
import Testing

/// The app's end of the front's lifeline, over a real pipe: the write end closing (as it
/// does when the front dies, however) is the front's end.
@Suite struct FrontLifelineTests {
    /// Records what happened, from any thread.
    final class Events: Sendable {
        private let lines = Mutex<[String]>([])

        func append(_ line: String) { lines.withLock { $0.append(line) } }

        var all: [String] { lines.withLock { $0 } }

        /// Looks every 10 ms (at most `seconds`) until there are `count` events.
        func wait(for count: Int, seconds: Int64 = 10) -> [String] {
            let deadline = MonotonicClock.now() + seconds * 1_000_000_000
            while all.count < count, MonotonicClock.now() < deadline { _ = poll(nil, 0, 10) }
            return all
        }
    }

    @Test func theFrontsEndIsNoticedOnceAndTheOverdueProcessEnded() throws {
        let pipe = try Descriptor.pipe()
        let events = Events()
        let lifeline = FrontLifeline(
            descriptor: pipe.read, exitLimit: .milliseconds(10),
            onLost: { events.append("lost") }, whenOverdue: { events.append("overdue") }
        )
        #expect(!lifeline.isLost)
        #expect(events.all.isEmpty, "nothing while the front lives")
        Descriptor.close(pipe.write)
        #expect(events.wait(for: 2) == ["lost", "overdue"])
        #expect(lifeline.isLost)
        Descriptor.close(pipe.read)
    }
}
