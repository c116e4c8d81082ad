/// Puts a snippet (the browser-refresh script tag) into an HTML body as it streams past:
/// just before the first `</body>` (in any case), or at the very end when the body has
/// none. Pure: bytes in, bytes out, no I/O. Whatever the chunking, the output is the input
/// with the snippet inserted exactly once, so a declared length grows by `snippet.count`.
///
/// A `</body>` split across chunks is found: the bytes of a partial match (at most six)
/// are held back until the next chunk, or the end, decides what they are.
///
/// ```swift
/// var injector = HTMLScriptInjector(snippet: Array(#"<script src="/r.js"></script>"#.utf8))
/// for chunk in body { injector.feed(chunk) { out in send(out) } }
/// injector.finish { out in send(out) }
/// ```
public struct HTMLScriptInjector {
    public let snippet: [UInt8]
    /// The snippet has gone out; the rest passes through untouched.
    public private(set) var hasInjected = false
    /// The start of a possible `</body>` from earlier chunks, as written (its case kept).
    private var held: [UInt8] = []

    private static let closingTag: [UInt8] = Array("</body>".utf8)

    public init(snippet: [UInt8]) {
        self.snippet = snippet
        held.reserveCapacity(Self.closingTag.count)
    }

    /// Takes the next bytes of the body; `emit` receives what may go out now, in order
    /// (each piece is valid only during the call).
    public mutating func feed(_ input: UnsafeRawBufferPointer, emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !hasInjected else {
            if !input.isEmpty { try emit(input) }
            return
        }
        // Nothing of this chunk goes out before the loop ends or finds the tag. A candidate
        // `</body>` is `held` then input[..<index] while candidateStart is nil, else
        // input[candidateStart..<index].
        var matched = held.count
        var candidateStart: Int?
        for index in 0..<input.count {
            let byte = input[index]
            if Self.matches(byte, at: matched) {
                if matched == 0 { candidateStart = index }
                matched += 1
                guard matched == Self.closingTag.count else { continue }
                let tagStart = candidateStart ?? 0
                if tagStart > 0 { try emit(UnsafeRawBufferPointer(rebasing: input[..<tagStart])) }
                try snippet.withUnsafeBytes { try emit($0) }
                if !held.isEmpty { try held.withUnsafeBytes { try emit($0) } }
                held.removeAll(keepingCapacity: true)
                try emit(UnsafeRawBufferPointer(rebasing: input[tagStart...]))
                hasInjected = true
                return
            }
            if matched > 0 {
                // Not a `</body>` after all: held bytes come before everything in this chunk.
                if candidateStart == nil, !held.isEmpty { try held.withUnsafeBytes { try emit($0) } }
                held.removeAll(keepingCapacity: true)
                matched = 0
                candidateStart = nil
                if Self.matches(byte, at: 0) {
                    matched = 1
                    candidateStart = index
                }
            }
        }
        if matched == 0 {
            if !input.isEmpty { try emit(input) }
        } else if let start = candidateStart {
            if start > 0 { try emit(UnsafeRawBufferPointer(rebasing: input[..<start])) }
            held.append(contentsOf: input[start...])
        } else {
            held.append(contentsOf: input)  // the whole chunk continues the held candidate
        }
    }

    /// The body has ended: what was held back goes out, and the snippet, if no `</body>` came.
    public mutating func finish(emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        guard !hasInjected else { return }
        hasInjected = true
        if !held.isEmpty { try held.withUnsafeBytes { try emit($0) } }
        held.removeAll()
        try snippet.withUnsafeBytes { try emit($0) }
    }

    /// Whether `byte` continues a `</body>` of which `position` bytes have matched.
    private static func matches(_ byte: UInt8, at position: Int) -> Bool {
        let expected = closingTag[position]
        if expected >= UInt8(ascii: "a"), expected <= UInt8(ascii: "z") { return byte | 0x20 == expected }
        return byte == expected
    }
}
