#if canImport(Glibc)
import Glibc
#endif

/// The static table of RFC 7541 Appendix A: 61 entries, indices 1 to 61.
public enum HPACKStaticTable {
    public static let count = 61

    static let entries: [(name: StaticString, value: StaticString)] = [
        (":authority", ""), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"),
        (":status", "304"), (":status", "400"), (":status", "404"), (":status", "500"), ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"), ("accept-language", ""), ("accept-ranges", ""), ("accept", ""),
        ("access-control-allow-origin", ""), ("age", ""), ("allow", ""), ("authorization", ""), ("cache-control", ""),
        ("content-disposition", ""), ("content-encoding", ""), ("content-language", ""), ("content-length", ""),
        ("content-location", ""), ("content-range", ""), ("content-type", ""), ("cookie", ""), ("date", ""),
        ("etag", ""), ("expect", ""), ("expires", ""), ("from", ""), ("host", ""), ("if-match", ""),
        ("if-modified-since", ""), ("if-none-match", ""), ("if-range", ""), ("if-unmodified-since", ""),
        ("last-modified", ""), ("link", ""), ("location", ""), ("max-forwards", ""), ("proxy-authenticate", ""),
        ("proxy-authorization", ""), ("range", ""), ("referer", ""), ("refresh", ""), ("retry-after", ""),
        ("server", ""), ("set-cookie", ""), ("strict-transport-security", ""), ("transfer-encoding", ""),
        ("user-agent", ""), ("vary", ""), ("via", ""), ("www-authenticate", ""),
    ]

    /// Well-known indices the encoder writes directly.
    static let statusIndices: [(status: Int, index: Int)] = [(200, 8), (204, 9), (206, 10), (304, 11), (400, 12), (404, 13), (500, 14)]
    static let statusNameIndex = 8
    public static let contentLengthNameIndex = 28
    public static let dateNameIndex = 33
    public static let serverNameIndex = 54

    @inline(__always)
    static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// The name and value of entry `index` (1...61).
    static func entry(_ index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let entry = entries[index - 1]
        return (bytes(entry.name), bytes(entry.value))
    }

    /// Indices of the entries, grouped by the length of their name: the encoder compares a name
    /// only with the few static names of its length.
    private static let indicesByNameLength: [[Int]] = {
        var groups = [[Int]](repeating: [], count: 28)
        for (offset, entry) in entries.enumerated() { groups[entry.name.utf8CodeUnitCount].append(offset + 1) }
        return groups
    }()

    /// The entry matching `name` and `value` (`exact`), or else the first entry with `name`
    /// (`nameOnly`); names must already be lowercase.
    static func find(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> (exact: Int?, nameOnly: Int?) {
        guard name.count < indicesByNameLength.count else { return (nil, nil) }
        var nameOnly: Int?
        for index in indicesByNameLength[name.count] {
            let entry = entries[index - 1]
            guard equal(name, entry.name) else { continue }
            if nameOnly == nil { nameOnly = index }
            if equal(value, entry.value) { return (index, nameOnly) }
        }
        return (nil, nameOnly)
    }

    @inline(__always)
    private static func equal(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        guard let base = bytes.baseAddress else { return true }
        return memcmp(base, text.utf8Start, bytes.count) == 0
    }
}
