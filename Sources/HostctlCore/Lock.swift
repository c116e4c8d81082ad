#if canImport(Glibc)
import Glibc
#endif

/// A pthread mutex. Used instead of Synchronization.Mutex where ThreadSanitizer must see
/// the locking (Mutex waits on a futex directly, which TSan does not understand, so the
/// sanitizer run would report false races). Off the hot paths only.
public final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    public init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    public func withLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
