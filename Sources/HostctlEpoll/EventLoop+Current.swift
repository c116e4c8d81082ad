import Glibc

/// Which loop the calling thread runs, kept in thread-specific data: code running in a
/// connection's task (on its loop's executor) finds the loop to open more connections on
/// without being handed it.
private let currentLoopKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
    return key
}()

extension EventLoop {
    /// The loop whose thread is calling; nil on any other thread.
    public static var current: EventLoop? {
        guard let raw = pthread_getspecific(currentLoopKey) else { return nil }
        return Unmanaged<EventLoop>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Set by the loop's thread as it starts running (the loop outlives its thread's run).
    static func setCurrent(_ loop: EventLoop?) {
        pthread_setspecific(currentLoopKey, loop.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
    }
}
