import Synchronization

/// The `ETag` and `Last-Modified` values of recently served files, by what they are made of
/// (modification time, size, coding): a file served again gets the same two Strings back
/// instead of formatting and allocating them per request. Direct-mapped and small; shared by
/// the loops, behind a mutex held only to copy two references.
final class FileValidatorCache: Sendable {
    struct Values {
        let entityTag: String
        let lastModified: String
    }

    private struct Entry {
        var modified: Int64
        var size: Int64
        var coding: ContentCodingChoice.Coding?
        var values: Values
    }

    static let slots = 64
    private let entries = Mutex<[Entry?]>([Entry?](repeating: nil, count: FileValidatorCache.slots))

    /// The values for a file with this modification time (ns), size and coding: from the
    /// cache, or made by `make` and kept.
    func values(modified: Int64, size: Int64, coding: ContentCodingChoice.Coding?, make: () -> Values) -> Values {
        let slot = Self.slot(modified: modified, size: size, coding: coding)
        let cached = entries.withLock { entries -> Values? in
            guard let entry = entries[slot], entry.modified == modified, entry.size == size, entry.coding == coding else { return nil }
            return entry.values
        }
        if let cached { return cached }
        let made = make()
        entries.withLock { $0[slot] = Entry(modified: modified, size: size, coding: coding, values: made) }
        return made
    }

    private static func slot(modified: Int64, size: Int64, coding: ContentCodingChoice.Coding?) -> Int {
        var hash = UInt64(bitPattern: modified) &* 0x9E37_79B9_7F4A_7C15
        hash ^= UInt64(bitPattern: size) &+ (hash >> 29)
        hash = (hash ^ UInt64(coding.map { $0 == .brotli ? 1 : 2 } ?? 0)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: hash >> 58) & (slots - 1)
    }
}
