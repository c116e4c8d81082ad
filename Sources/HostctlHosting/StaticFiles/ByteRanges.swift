/// The `Range` header of RFC 9110 §14.2 for one representation of `length` bytes, reduced
/// to what a server sends: nothing (serve it whole), the ranges to send, or 416.
///
/// Syntax a server must ignore (another unit, a malformed spec) means the whole
/// representation. Overlapping or adjacent ranges are merged (§14.6 allows it, and it
/// defeats the many-overlapping-ranges attack); more than `maxRanges` after merging also
/// means the whole representation, rather than a response far larger than the file.
enum ByteRanges: Equatable {
    case whole
    /// First and last byte offsets, inclusive, in the order to send them.
    case satisfiable([ClosedRange<Int64>])
    case unsatisfiable

    static func evaluate(_ header: String, length: Int64, maxRanges: Int) -> ByteRanges {
        var text = Substring(header)
        text = text.drop { $0 == " " || $0 == "\t" }
        guard text.count > 6, text.prefix(6).lowercased() == "bytes=" else { return .whole }
        var ranges: [ClosedRange<Int64>] = []
        var sawValidSpec = false
        for spec in text.dropFirst(6).split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = spec.trimmingSpaces
            if trimmed.isEmpty { continue }
            guard let dash = trimmed.firstIndex(of: "-") else { return .whole }
            let firstText = trimmed[..<dash], lastText = trimmed[trimmed.index(after: dash)...]
            if firstText.isEmpty {
                // suffix-range: the last N bytes.
                guard let suffix = digits(lastText) else { return .whole }
                sawValidSpec = true
                if suffix == 0 || length == 0 { continue }
                ranges.append(max(0, length - suffix)...(length - 1))
            } else {
                guard let first = digits(firstText) else { return .whole }
                var last = length - 1
                if !lastText.isEmpty {
                    guard let given = digits(lastText), given >= first else { return .whole }
                    last = min(given, length - 1)
                }
                sawValidSpec = true
                if first >= length { continue }
                ranges.append(first...last)
            }
            // A list far longer than any real client sends is not worth reading on.
            if ranges.count > 1000 { return .whole }
        }
        guard sawValidSpec else { return .whole }
        guard !ranges.isEmpty else { return .unsatisfiable }
        let merged = merge(ranges)
        return merged.count > maxRanges ? .whole : .satisfiable(merged)
    }

    /// Merges overlapping and adjacent ranges (sorted then, since order no longer holds);
    /// ranges that do not touch keep the order they were asked in.
    static func merge(_ ranges: [ClosedRange<Int64>]) -> [ClosedRange<Int64>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<Int64>] = []
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound + 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged.count == ranges.count ? ranges : merged
    }

    private static func digits(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }
}
