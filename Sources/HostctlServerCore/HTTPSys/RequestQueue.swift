import Synchronization

/// Requests handed to the app and not yet completed, counted across every loop (HTTP.sys's
/// request queue): a request that would go over the limit is not handed to the app.
final class RequestQueue: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)

    /// `limit` is above zero: `ServerOptions.requestQueueLimit` checks it when set.
    init(limit: Int) {
        self.limit = limit
    }

    /// Requests holding a place now.
    var current: Int { count.load(ordering: .relaxed) }

    /// Takes a place; false when the queue is full.
    func enter() -> Bool {
        // Take the place first, so two loops cannot both take the last one.
        if count.wrappingAdd(1, ordering: .relaxed).oldValue < limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}
