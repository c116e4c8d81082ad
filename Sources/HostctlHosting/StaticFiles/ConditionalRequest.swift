import HostctlCore

/// The preconditions of RFC 9110 §13.2.2 for a GET or HEAD of a file, in their order:
/// If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since; then If-Range decides
/// whether a Range applies.
enum ConditionalRequest {
    enum Outcome: Equatable {
        /// Serve the file (a Range, if any, applies only if `rangeApplies`).
        case serve(rangeApplies: Bool)
        case notModified
        case preconditionFailed
    }

    struct Validators {
        /// The strong entity tag, quotes included ("\"5f3e-1a\"").
        let entityTag: String
        /// Whole seconds since the epoch.
        let lastModified: Int
    }

    static func evaluate(_ fields: borrowing StaticFileRequestFields, validators: Validators) -> Outcome {
        if let ifMatch = fields.ifMatch {
            if !matches(ifMatch, validators.entityTag, weak: false) { return .preconditionFailed }
        } else if let since = fields.ifUnmodifiedSince.flatMap(HTTPDate.parse), validators.lastModified > since {
            return .preconditionFailed
        }
        if let ifNoneMatch = fields.ifNoneMatch {
            if matches(ifNoneMatch, validators.entityTag, weak: true) { return .notModified }
        } else if let since = fields.ifModifiedSince.flatMap(HTTPDate.parse), validators.lastModified <= since {
            return .notModified
        }
        guard let ifRange = fields.ifRange else { return .serve(rangeApplies: true) }
        let trimmed = ifRange.trimmingSpaces
        if trimmed.hasPrefix("\"") || trimmed.hasPrefix("W/") {
            // An entity tag: only a strong match lets the range through (§13.1.5).
            return .serve(rangeApplies: !trimmed.hasPrefix("W/") && trimmed == validators.entityTag)
        }
        return .serve(rangeApplies: HTTPDate.parse(trimmed) == validators.lastModified)
    }

    /// Whether a list of entity tags ("*", or `"a", W/"b"`) matches `tag`: weakly (W/ ignored
    /// on both sides) or strongly (W/ never matches).
    static func matches(_ list: String, _ tag: String, weak: Bool) -> Bool {
        let trimmedList = list.trimmingSpaces
        if trimmedList == "*" { return true }
        let bare = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
        for item in trimmedList.split(separator: ",") {
            var candidate = Substring(item.trimmingSpaces)
            if candidate.hasPrefix("W/") {
                guard weak else { continue }
                candidate = candidate.dropFirst(2)
            }
            if candidate == bare { return true }
        }
        return false
    }
}
