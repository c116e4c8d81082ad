import Glibc

/// Counts `fire()`s from any thread; `wait` blocks until the count reaches a number or a
/// time limit passes. For tests that wait on a callback (a reload, a line written), never
/// on a sleep.
public final class TestSignal: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var count = 0

    public init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    public func fire() {
        pthread_mutex_lock(mutex)
        count += 1
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(changed)
    }

    public var fired: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return count
    }

    /// True once `fire()` has been called `times` times in all; false after `seconds`.
    @discardableResult
    public func wait(forCount times: Int = 1, seconds: Double = 10) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let total = Int(deadline.tv_nsec) + Int(seconds * 1_000_000_000)
        deadline.tv_sec += total / 1_000_000_000
        deadline.tv_nsec = total % 1_000_000_000
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while count < times {
            if pthread_cond_timedwait(changed, mutex, &deadline) == ETIMEDOUT { return count >= times }
        }
        return true
    }
}
