/// How a literal field is written (RFC 7541 §6.2), and whether it enters the dynamic table.
public enum HPACKIndexing: Sendable, Equatable {
    /// Added to the table, so the next occurrence is one octet (§6.2.1): for fields that repeat
    /// with the same value (content-type, server, cache-control).
    case incremental
    /// Left out of the table (§6.2.2): for values that change every time (date, content-length),
    /// which would only evict useful entries.
    case withoutIndexing
    /// Left out of every table on the way, intermediaries included (§6.2.3): for secrets that a
    /// compression oracle could guess (cookies, credentials).
    case neverIndexed

    /// The encoder's choice for a response field named `name` (lowercase): values that change
    /// per response are not indexed, credentials are never indexed, everything else is.
    public static func `default`(forName name: UnsafeRawBufferPointer) -> HPACKIndexing {
        switch name.count {
        case 3 where equals(name, "age"): .withoutIndexing
        case 4 where equals(name, "date") || equals(name, "etag"): .withoutIndexing
        case 7 where equals(name, "expires"): .withoutIndexing
        case 8 where equals(name, "location"): .withoutIndexing
        case 10 where equals(name, "set-cookie"): .neverIndexed
        case 13 where equals(name, "authorization"): .neverIndexed
        case 13 where equals(name, "content-range") || equals(name, "last-modified"): .withoutIndexing
        case 14 where equals(name, "content-length"): .withoutIndexing
        case 19 where equals(name, "proxy-authorization"): .neverIndexed
        default: .incremental
        }
    }

    @inline(__always)
    private static func equals(_ bytes: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count where bytes[index] != text.utf8Start[index] { return false }
        return true
    }
}
