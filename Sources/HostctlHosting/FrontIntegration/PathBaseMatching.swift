import HostctlCore

/// ASP.NET's `UsePathBase` test: does a path start with the path base at a segment
/// boundary, ignoring ASCII case? "/app" matches "/app", "/APP/x", not "/apple".
enum PathBaseMatching {
    /// The rest of `path` after `base` ("" when nothing is left, else starting with "/"),
    /// or nil when `path` does not start with it. `base` is normalized ("/app", not "/app/").
    static func remainder(of path: String, under base: String) -> Substring? {
        let pathBytes = path.utf8, baseBytes = base.utf8
        var position = pathBytes.startIndex
        for byte in baseBytes {
            guard position != pathBytes.endIndex, ASCII.lowercase(pathBytes[position]) == ASCII.lowercase(byte) else { return nil }
            position = pathBytes.index(after: position)
        }
        guard position == pathBytes.endIndex || pathBytes[position] == UInt8(ascii: "/") else { return nil }
        // A "/" is a whole character, so this byte index is a valid String index.
        return path[position...]
    }
}
