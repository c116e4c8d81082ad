import Glibc
import HostctlHTTP1

/// The Date header's 29 bytes, formatted once a second per loop (RFC 9110 §6.6.1 asks
/// for the time the response was generated; a second's resolution is what HTTP dates have).
final class DateCache {
    private let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: HTTPDate.length, alignment: 1)
    @exclusivity(unchecked) private var second = -1

    deinit { storage.deallocate() }

    /// Reformats if the wall-clock second has changed.
    func refresh() {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let current = Int(now.tv_sec)
        guard current != second else { return }
        second = current
        HTTPDate.write(secondsSinceEpoch: current, into: storage)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage) }
}
