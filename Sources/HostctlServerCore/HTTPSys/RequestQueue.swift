import Synchronization

/// Requests handed to the app and not yet completed, counted across every loop (HTTP.sys's
/// request queue): a request that would go over the limit is not handed to the app.
final class RequestQueue: Sendable {
    let limit: Int
    private let count = Atomic<Int>(0)
    /// The server has one loop, the counter's only writer: a place is taken and given back
    /// with a load and a store, not a locked read-modify-write (two a request, ~6 ns each).
    /// Other threads still read it safely.
    private let oneLoop: Bool

    /// `limit` is above zero: `ServerOptions.requestQueueLimit` checks it when set.
    init(limit: Int, oneLoop: Bool = false) {
        self.limit = limit
        self.oneLoop = oneLoop
    }

    /// Requests holding a place now.
    var current: Int { count.load(ordering: .relaxed) }

    /// Takes a place; false when the queue is full.
    func enter() -> Bool {
        if oneLoop {
            let current = count.load(ordering: .relaxed)
            guard current < limit else { return false }
            count.store(current + 1, ordering: .relaxed)
            return true
        }
        // Take the place first, so two loops cannot both take the last one.
        if count.wrappingAdd(1, ordering: .relaxed).oldValue < limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    func leave() {
        if oneLoop {
            count.store(count.load(ordering: .relaxed) - 1, ordering: .relaxed)
            return
        }
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}
