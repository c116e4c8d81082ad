/// Which file a request path names below a root, or why it names none. Pure: the path's
/// bytes in, a verdict out; the kernel then opens the file without leaving the root
/// (`WebRoot`), so this is the first of two fences, not the only one.
///
/// The path is the server's percent-decoded one (so `%2e%2e` has already become `..`),
/// except `%2F`, which the server leaves encoded so that decoding never creates a
/// separator. Refused:
/// - `.` and `..` segments (however they were written),
/// - a segment starting with `.` (hidden files and folders: `.git`, `.env`), never served,
/// - `%2F` (an encoded slash: a file name cannot hold one) and `\`,
/// - NUL and other control bytes.
/// Empty segments (`//`) are skipped.
enum StaticFilePath: Equatable {
    /// A file: where its path relative to the root ("css/site.css") starts in the request
    /// path, as a byte offset (so opening it needs no new string).
    case file(relativeStart: Int)
    /// A folder: the path ends with "/" (or is the root itself).
    case directory(relativeStart: Int)
    case refused(Refusal)

    enum Refusal: Equatable {
        case dotSegment, hiddenSegment, encodedSeparator, controlByte
    }

    /// `path`, from byte `prefixLength` on (the part after the prefix the middleware serves).
    static func classify(_ path: String, after prefixLength: Int) -> StaticFilePath {
        var path = path
        return path.withUTF8 { classify($0, after: prefixLength) }
    }

    /// The same over the path's bytes (a String's UTF-8 view walked a byte at a time costs
    /// far more per byte than a buffer).
    static func classify(_ path: UnsafeBufferPointer<UInt8>, after prefixLength: Int) -> StaticFilePath {
        var offset = 0
        var relativeStart: Int?
        var segment = Segment()
        var previous: UInt8 = 0
        var beforePrevious: UInt8 = 0

        for byte in path {
            defer {
                beforePrevious = previous
                previous = byte
                offset += 1
            }
            guard offset >= prefixLength else { continue }
            if byte < 0x20 || byte == 0x7F { return .refused(.controlByte) }
            if byte == UInt8(ascii: "\\") { return .refused(.encodedSeparator) }
            if byte | 0x20 == UInt8(ascii: "f"), previous == UInt8(ascii: "2"), beforePrevious == UInt8(ascii: "%") {
                return .refused(.encodedSeparator)
            }
            if byte == UInt8(ascii: "/") {
                if let refusal = segment.end() { return .refused(refusal) }
                continue
            }
            if segment.length == 0 {
                if relativeStart == nil { relativeStart = offset }
                segment.startsWithDot = byte == UInt8(ascii: ".")
            }
            if byte != UInt8(ascii: ".") { segment.isOnlyDots = false }
            segment.length += 1
        }
        let endsInSegment = segment.length > 0
        if let refusal = segment.end() { return .refused(refusal) }
        let start = relativeStart ?? path.count
        return endsInSegment ? .file(relativeStart: start) : .directory(relativeStart: start)
    }

    /// The path segment being read. A struct, not variables a local function captures: those
    /// are boxed, and each access to them checked for exclusivity at run time.
    private struct Segment {
        var length = 0
        var startsWithDot = false
        var isOnlyDots = true

        /// What a finished segment refuses (a dot segment, a hidden one), and a fresh one.
        mutating func end() -> Refusal? {
            defer { self = Segment() }
            guard length > 0, startsWithDot else { return nil }
            return isOnlyDots && length <= 2 ? .dotSegment : .hiddenSegment
        }
    }
}
