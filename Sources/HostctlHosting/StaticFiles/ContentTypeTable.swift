#if canImport(HostctlCore)
import HostctlCore
#endif

/// A `ContentTypeProvider` compiled once per middleware for the lookup every file request
/// makes: an extension of up to eight bytes is packed, lowercased, into one integer and
/// found in an open-addressed table, with its media type and whether that type is worth a
/// precompressed sibling (a String built, hashed and compared per request cost more than
/// the rest of the lookup). Longer extensions (".webmanifest") go through a dictionary.
///
/// Extensions match without regard to case, as in ASP.NET's provider; should a table hold
/// two spellings of one extension (".CSS" and ".css"), the lowercase one counts.
struct ContentTypeTable: Sendable {
    struct Entry: Sendable, Equatable {
        let contentType: String
        let isCompressible: Bool
    }

    /// Packed extensions; 0 marks an empty slot (a packed extension is never 0: its bytes
    /// are not NUL).
    private let keys: [UInt64]
    private let entries: [Entry]
    private let shift: UInt64
    /// Extensions longer than eight bytes, lowercase, with their dot.
    private let longExtensions: [String: Entry]

    init(_ provider: ContentTypeProvider) {
        var short: [UInt64: (entry: Entry, wasLowercase: Bool)] = [:]
        var long: [String: (entry: Entry, wasLowercase: Bool)] = [:]
        for (name, contentType) in provider.mappings {
            let lower = name.lowercased()
            guard lower.utf8.first == UInt8(ascii: "."), lower.utf8.count > 1 else { continue }
            let candidate = (Entry(contentType: contentType, isCompressible: ContentTypeProvider.isCompressible(contentType)), lower == name)
            if let key = Self.pack(lower.utf8.dropFirst()) {
                if short[key].map({ !$0.wasLowercase }) ?? true { short[key] = candidate }
            } else {
                if long[lower].map({ !$0.wasLowercase }) ?? true { long[lower] = candidate }
            }
        }
        var capacity = 16
        while capacity < short.count * 2 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var entries = [Entry](repeating: Entry(contentType: "", isCompressible: false), count: capacity)
        let shift = UInt64(64 - capacity.trailingZeroBitCount)
        for (key, value) in short {
            var slot = Self.slot(key, shift: shift)
            while keys[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
            keys[slot] = key
            entries[slot] = value.entry
        }
        self.keys = keys
        self.entries = entries
        self.shift = shift
        longExtensions = long.mapValues(\.entry)
    }

    /// The entry for the extension of `path`'s last segment, or nil (none, or not in the table).
    func entry(forPath path: UnsafeBufferPointer<UInt8>) -> Entry? {
        ContentTypeProvider.extensionDot(in: path).flatMap { entry(extensionAt: $0, in: path) }
    }

    /// The entry for the extension that starts with the dot at `dot` and runs to the end of `path`.
    func entry(extensionAt dot: Int, in path: UnsafeBufferPointer<UInt8>) -> Entry? {
        let name = UnsafeBufferPointer(rebasing: path[(dot + 1)...])
        guard let key = Self.pack(name) else {
            guard name.count > 8 else { return nil }
            return longExtensions[String(decoding: UnsafeBufferPointer(rebasing: path[dot...]), as: UTF8.self).lowercased()]
        }
        var slot = Self.slot(key, shift: shift)
        while true {
            let found = keys[slot]
            if found == key { return entries[slot] }
            if found == 0 { return nil }
            slot = (slot + 1) & (keys.count - 1)
        }
    }

    /// One to eight bytes, lowercased, the first in the lowest byte; nil otherwise (or for a NUL).
    private static func pack(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard (1...8).contains(bytes.count) else { return nil }
        var key: UInt64 = 0
        var position: UInt64 = 0
        for byte in bytes {
            guard byte != 0 else { return nil }
            key |= UInt64(ASCII.lowercase(byte)) << position
            position += 8
        }
        return key
    }

    /// Fibonacci hashing: the top bits of the key times 2⁶⁴/φ.
    @inline(__always)
    private static func slot(_ key: UInt64, shift: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
}
