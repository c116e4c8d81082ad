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

    static func evaluate(headers: RequestHeaders, validators: Validators) -> Outcome {
        if let ifMatch = headers["If-Match"] {
            if !matches(ifMatch, validators.entityTag, weak: false) { return .preconditionFailed }
        } else if let since = headers["If-Unmodified-Since"].flatMap(HTTPDate.parse), validators.lastModified > since {
            return .preconditionFailed
        }
        if let ifNoneMatch = headers["If-None-Match"] {
            if matches(ifNoneMatch, validators.entityTag, weak: true) { return .notModified }
        } else if let since = headers["If-Modified-Since"].flatMap(HTTPDate.parse), validators.lastModified <= since {
            return .notModified
        }
        guard let ifRange = headers["If-Range"] else { return .serve(rangeApplies: true) }
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

/// Which precompressed sibling to send, from `Accept-Encoding` (RFC 9110 §12.5.3): the
/// acceptable coding with the highest weight among those present, Brotli before gzip on a
/// tie; none when the client accepts neither (or gave them q=0).
enum ContentCodingChoice {
    enum Coding: String, CaseIterable {
        case brotli = "br"
        case gzip

        /// The sibling file's suffix.
        var fileExtension: String { self == .brotli ? ".br" : ".gz" }
    }

    /// The codings the client accepts, best first.
    static func acceptable(_ acceptEncoding: String) -> [Coding] {
        var weights: [Coding: Double] = [:]
        var wildcard: Double?
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            let name = (parts.first.map { $0.trimmingSpaces } ?? "").lowercased()
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces
                if pair.lowercased().hasPrefix("q="), let value = Double(pair.dropFirst(2)) { weight = value }
            }
            switch name {
            case "br": weights[.brotli] = weight
            case "gzip", "x-gzip": weights[.gzip] = weight
            case "*": wildcard = weight
            default: break
            }
        }
        var result: [(coding: Coding, weight: Double, rank: Int)] = []
        for (rank, coding) in Coding.allCases.enumerated() {
            let weight = weights[coding] ?? wildcard ?? 0
            if weight > 0 { result.append((coding, weight, rank)) }
        }
        return result.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.rank < $1.rank }.map(\.coding)
    }
}
