import HostctlCore
import HostctlHosting
import Synchronization

/// HTTP.sys's kernel response cache, kept in memory and shared by every loop: responses
/// by Host and target, bounded in bytes, the least recently used dropped first. Entries
/// expire by loop time; an expired one goes when it is next looked up, or by recency.
///
/// One lock guards the table and the recency list. A hit holds it for a table lookup, a
/// key comparison and a few pointer moves, and allocates nothing; the caller copies the
/// bytes out after it is released (an entry never changes once stored). A pthread lock
/// rather than Synchronization.Mutex so ThreadSanitizer sees it (see `Lock`).
final class ResponseCache: @unchecked Sendable {
    let maxBytes: Int
    let maxEntryBytes: Int
    private let lock = Lock()
    private var entries: [Int: CachedResponse] = [:]
    private unowned(unsafe) var newest: CachedResponse?
    private unowned(unsafe) var oldest: CachedResponse?
    private var totalCost = 0
    private var hits = 0
    private var misses = 0
    /// The number of entries, readable without the lock.
    private let count = Atomic<Int>(0)

    init(_ options: ResponseCacheOptions) {
        maxBytes = options.maxBytes
        maxEntryBytes = min(options.maxEntryBytes, options.maxBytes)
    }

    /// Whether nothing is stored: read without the lock, so a request racing the first
    /// store on another loop may miss it (and is answered by the app, as any miss).
    var isEmpty: Bool { count.load(ordering: .relaxed) == 0 }

    /// The fresh entry for `key`, or nil.
    func lookup(_ key: ResponseCacheKey, now: Int64) -> CachedResponse? {
        lock.withLock {
            guard let entry = entries[key.hash], key.matches(entry.key) else {
                misses += 1
                return nil
            }
            guard now < entry.expiresAt else {
                remove(entry)
                misses += 1
                return nil
            }
            if entry !== newest {
                unlink(entry)
                linkAsNewest(entry)
            }
            hits += 1
            return entry
        }
    }

    /// Adds `entry`, replacing any under the same key, then drops the least recently used
    /// entries until the total fits.
    func store(_ entry: CachedResponse) {
        guard entry.cost <= maxBytes else { return }
        lock.withLock {
            if let old = entries[entry.hash] { remove(old) }
            entries[entry.hash] = entry
            count.store(entries.count, ordering: .relaxed)
            linkAsNewest(entry)
            totalCost += entry.cost
            while totalCost > maxBytes, let victim = oldest { remove(victim) }
        }
    }

    /// For tests and diagnostics. Misses are lookups that found nothing; a request that
    /// meets an empty cache looks nothing up.
    var statistics: (hits: Int, misses: Int, entries: Int, bytes: Int) {
        lock.withLock { (hits, misses, entries.count, totalCost) }
    }

    // MARK: Under the lock

    private func remove(_ entry: CachedResponse) {
        unlink(entry)
        entries[entry.hash] = nil
        count.store(entries.count, ordering: .relaxed)
        totalCost -= entry.cost
    }

    private func linkAsNewest(_ entry: CachedResponse) {
        entry.older = newest
        entry.newer = nil
        newest?.newer = entry
        newest = entry
        if oldest == nil { oldest = entry }
    }

    private func unlink(_ entry: CachedResponse) {
        if let newer = entry.newer { newer.older = entry.older } else { newest = entry.older }
        if let older = entry.older { older.newer = entry.newer } else { oldest = entry.newer }
        entry.newer = nil
        entry.older = nil
    }
}
