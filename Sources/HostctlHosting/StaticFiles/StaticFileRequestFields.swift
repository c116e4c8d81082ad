import HostctlCore

/// The request fields static files read, found in one pass over the headers (a file
/// request would otherwise scan them once per field it asks about). List fields given on
/// several lines are joined with commas (RFC 9110 §5.3); for the others the first counts.
struct StaticFileRequestFields: ~Copyable {
    var ifMatch: String?
    var ifNoneMatch: String?
    var ifModifiedSince: String?
    var ifUnmodifiedSince: String?
    var ifRange: String?
    var range: String?
    var acceptEncoding: String?

    init(_ headers: RequestHeaders) {
        headers.forEachField { name, value in
            switch name.count {
            case 5 where ASCII.equalsLowercased(name, "range"):
                if range == nil { range = String(decoding: value, as: UTF8.self) }
            case 8 where ASCII.equalsLowercased(name, "if-match"):
                ifMatch = Self.joined(ifMatch, value)
            case 8 where ASCII.equalsLowercased(name, "if-range"):
                if ifRange == nil { ifRange = String(decoding: value, as: UTF8.self) }
            case 13 where ASCII.equalsLowercased(name, "if-none-match"):
                ifNoneMatch = Self.joined(ifNoneMatch, value)
            case 15 where ASCII.equalsLowercased(name, "accept-encoding"):
                acceptEncoding = Self.joined(acceptEncoding, value)
            case 17 where ASCII.equalsLowercased(name, "if-modified-since"):
                if ifModifiedSince == nil { ifModifiedSince = String(decoding: value, as: UTF8.self) }
            case 19 where ASCII.equalsLowercased(name, "if-unmodified-since"):
                if ifUnmodifiedSince == nil { ifUnmodifiedSince = String(decoding: value, as: UTF8.self) }
            default:
                break
            }
        }
    }

    private static func joined(_ earlier: String?, _ value: UnsafeRawBufferPointer) -> String {
        let text = String(decoding: value, as: UTF8.self)
        return earlier.map { $0 + ", " + text } ?? text
    }
}
