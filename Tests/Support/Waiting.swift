import Glibc
import HostctlCore
import HostctlSystem

// What tests wait on: signals a handler or a server raises, never a sleep that hopes the
// other side got there first. Every wait is bounded in time.

/// A thread-safe boolean a handler sets for the test to see.
public final class Flag: @unchecked Sendable {
    private let lock = Lock()
    private var value = false

    public init() {}

    public func set() { lock.withLock { value = true } }
    public var isSet: Bool { lock.withLock { value } }

    /// Waits (polling, off the cooperative pool's hands) until it is set; false after `seconds`.
    public func wait(seconds: Double = 30) async -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while !isSet, MonotonicClock.now() < deadline { try? await Task.sleep(for: .milliseconds(2)) }
        return isSet
    }
}

/// A thread-safe count.
public final class Counter: @unchecked Sendable {
    private let lock = Lock()
    private var count = 0

    public init() {}

    public var value: Int { lock.withLock { count } }
    public func add(_ amount: Int) { lock.withLock { count += amount } }
}

/// A continuation that `open()` resumes (from any thread), whether it comes before or after `wait()`.
public final class Gate: @unchecked Sendable {
    private let lock = Lock()
    private var isOpen = false
    private var waiter: CheckedContinuation<Void, Never>?

    public init() {}

    public func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = lock.withLock {
                if isOpen { return true }
                waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    public func open() {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            isOpen = true
            defer { self.waiter = nil }
            return self.waiter
        }
        waiter?.resume()
    }
}

/// Parks the calling task until it is cancelled (a handler that never returns on its own).
/// Not Task.sleep: its cancellation is resumed through Swift's global pool, which the full
/// suite's blocking tests can hold long enough to fail a test; the gate is opened on the
/// thread that cancels.
public func parkUntilCancelled() async {
    let gate = Gate()
    await withTaskCancellationHandler {
        await gate.wait()
    } onCancel: {
        gate.open()
    }
}

/// Polls `condition` every millisecond for at most `seconds` (for state a test cannot be
/// signalled about, such as a process ending); returns whether it became true.
public func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if condition() { return true }
        usleep(1000)
    }
    return condition()
}
