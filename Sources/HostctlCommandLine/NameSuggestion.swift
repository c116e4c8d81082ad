/// "Did you mean …?" for a mistyped name: the candidate nearest to it, when it is near
/// enough to be a typo (letter case ignored): at most two edits, and no more than half
/// the word's length (so "x" suggests nothing, while "htpp" suggests "http").
public enum NameSuggestion {
    public static func nearest(to word: String, among candidates: [String], maxEdits: Int = 2) -> String? {
        let folded = word.lowercased()
        let allowed = min(maxEdits, max(1, folded.count / 2))
        let scored = candidates.map { (name: $0, edits: editDistance($0.lowercased(), folded)) }
        guard let best = scored.min(by: { $0.edits < $1.edits }), best.edits <= allowed else { return nil }
        return best.name
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
