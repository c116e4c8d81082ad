import HostctlCore

/// HTTP.sys's rules for what its response cache may answer and keep.
enum ResponseCachePolicy {
    /// Whether a request may be answered from the cache: GET or HEAD, with no body and no
    /// Authorization (a response meant for one user must never reach another).
    static func admits(method: HTTPMethod, hasBody: Bool, hasAuthorization: Bool) -> Bool {
        (method == .get || method == .head) && !hasBody && !hasAuthorization
    }

    /// How many seconds a response may be served from the cache; nil when it may not be
    /// cached. `Cache-Control` must say `public` and give `s-maxage` (which wins) or
    /// `max-age` above zero, and not `no-store`, `no-cache` or `private`; and the response
    /// must have no Set-Cookie, Vary or Pragma.
    static func lifetime(of headers: HTTPFields) -> Int? {
        var cacheControl = CacheControl()
        let fields = headers.fields
        for index in fields.indices {
            let name = fields[index].name
            switch name.utf8.count {
            case 4 where ASCII.equalsIgnoringCase(name, "Vary"),
                 6 where ASCII.equalsIgnoringCase(name, "Pragma"),
                 10 where ASCII.equalsIgnoringCase(name, "Set-Cookie"):
                return nil
            case 13 where ASCII.equalsIgnoringCase(name, "Cache-Control"):
                cacheControl.read(fields[index].value)
            default:
                break
            }
        }
        return cacheControl.sharedLifetime
    }
}

/// The Cache-Control directives a shared cache acts on (RFC 9111 §5.2.2), gathered from
/// every Cache-Control field without building a String.
struct CacheControl {
    var isPublic = false
    /// no-store, no-cache or private: never from a shared cache (arguments ignored, so
    /// `no-cache="Set-Cookie"` forbids it too).
    var forbidsSharing = false
    var maxAge: Int?
    var sharedMaxAge: Int?

    /// Seconds a shared cache may serve the response; nil when it may not.
    var sharedLifetime: Int? {
        guard isPublic, !forbidsSharing, let seconds = sharedMaxAge ?? maxAge, seconds > 0 else { return nil }
        return seconds
    }

    /// Reads one field value: directives separated by commas, each `name` or `name=argument`.
    mutating func read(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var start = 0
            while start <= bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: ",") { end += 1 }
                directive(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end + 1
            }
        }
    }

    private mutating func directive(_ text: UnsafeRawBufferPointer) {
        var equals = 0
        while equals < text.count, text[equals] != UInt8(ascii: "=") { equals += 1 }
        let name = Self.trimmed(UnsafeRawBufferPointer(rebasing: text[0..<equals]))
        let argument = equals < text.count ? Self.trimmed(UnsafeRawBufferPointer(rebasing: text[(equals + 1)...])) : nil
        switch name.count {
        case 6 where ASCII.equalsLowercased(name, "public"): isPublic = true
        case 7 where ASCII.equalsLowercased(name, "private"): forbidsSharing = true
        case 8 where ASCII.equalsLowercased(name, "no-store"), 8 where ASCII.equalsLowercased(name, "no-cache"): forbidsSharing = true
        case 7 where ASCII.equalsLowercased(name, "max-age"): maxAge = argument.flatMap(Self.seconds)
        case 8 where ASCII.equalsLowercased(name, "s-maxage"): sharedMaxAge = argument.flatMap(Self.seconds)
        default: break
        }
    }

    /// A delta-seconds argument, quoted or not; past 2^31 it counts as 2^31 (RFC 9111 §1.2.2).
    private static func seconds(_ argument: UnsafeRawBufferPointer) -> Int? {
        var digits = argument
        if digits.count >= 2, digits.first == UInt8(ascii: "\""), digits.last == UInt8(ascii: "\"") {
            digits = UnsafeRawBufferPointer(rebasing: digits[1..<(digits.count - 1)])
        }
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = min(value * 10 + Int(byte - UInt8(ascii: "0")), 1 << 31)
        }
        return value
    }

    private static func trimmed(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var lower = 0, upper = bytes.count
        while lower < upper, bytes[lower] == UInt8(ascii: " ") || bytes[lower] == UInt8(ascii: "\t") { lower += 1 }
        while upper > lower, bytes[upper - 1] == UInt8(ascii: " ") || bytes[upper - 1] == UInt8(ascii: "\t") { upper -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[lower..<upper])
    }
}
