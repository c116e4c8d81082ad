/// Lexical operations on POSIX paths held as strings. Nothing here touches the disk.
public enum FilePath {
    public static func isAbsolute(_ path: String) -> Bool { path.utf8.first == UInt8(ascii: "/") }

    /// Joins `child` onto `base`; an absolute `child` stands alone.
    public static func join(_ base: String, _ child: String) -> String {
        if child.isEmpty { return base }
        if isAbsolute(child) || base.isEmpty { return child }
        return base.hasSuffix("/") ? base + child : base + "/" + child
    }

    public static func join(_ base: String, _ children: String...) -> String {
        children.reduce(base) { join($0, $1) }
    }

    /// Everything before the last component ("/a/b" → "/a", "b" → ".", "/a" → "/").
    public static func directory(_ path: String) -> String {
        let trimmed = trimTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// The last component ("/a/b.txt" → "b.txt").
    public static func lastComponent(_ path: String) -> String {
        let trimmed = trimTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// Resolves `.` and `..` and repeated slashes without following symbolic links.
    public static func normalize(_ path: String) -> String {
        let absolute = isAbsolute(path)
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast(); continue }
                if absolute { continue }
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    /// `path` made absolute against `base` and normalized.
    public static func absolute(_ path: String, relativeTo base: String) -> String {
        normalize(join(base, path))
    }

    /// `path` as seen from `base` when it lies inside it ("." for `base` itself), else
    /// `path` unchanged. Both are absolute and normalized.
    public static func relative(_ path: String, from base: String) -> String {
        if path == base { return "." }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    private static func trimTrailingSlashes(_ path: String) -> String {
        var result = Substring(path)
        while result.count > 1, result.hasSuffix("/") { result = result.dropLast() }
        return String(result)
    }
}
