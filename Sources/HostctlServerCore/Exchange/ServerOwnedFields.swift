import HostctlCore

/// What the app set among the fields the server writes itself, found in one pass.
struct ServerOwnedFields {
    var contentLength: String?
    var connectionClose = false
    var hasFramingOrConnection = false
    var hasDate = false
    var hasServer = false
    /// A Cache-Control field is there: without one a response is never stored by the
    /// response cache (`ResponseCachePolicy`), so its scan of the fields can be skipped.
    var hasCacheControl = false

    init(_ fields: HTTPFields) {
        let all = fields.fields
        for index in all.indices {
            let name = all[index].name
            switch name.utf8.count {
            case 14 where ASCII.equalsIgnoringCase(name, "Content-Length"):
                contentLength = all[index].value
                hasFramingOrConnection = true
            case 17 where ASCII.equalsIgnoringCase(name, "Transfer-Encoding"):
                hasFramingOrConnection = true
            case 10 where ASCII.equalsIgnoringCase(name, "Connection"):
                hasFramingOrConnection = true
                if all[index].value.lowercased().contains("close") { connectionClose = true }
            case 4 where ASCII.equalsIgnoringCase(name, "Date"):
                hasDate = true
            case 6 where ASCII.equalsIgnoringCase(name, "Server"):
                hasServer = true
            case 13 where ASCII.equalsIgnoringCase(name, "Cache-Control"):
                hasCacheControl = true
            default:
                break
            }
        }
    }

    /// Content-Length, Transfer-Encoding and Connection: the framing the server writes itself.
    static func isFramingOrConnection(_ field: HTTPFields.Field) -> Bool {
        let name = field.name
        switch name.utf8.count {
        case 14: return ASCII.equalsIgnoringCase(name, "Content-Length")
        case 17: return ASCII.equalsIgnoringCase(name, "Transfer-Encoding")
        case 10: return ASCII.equalsIgnoringCase(name, "Connection")
        default: return false
        }
    }
}
