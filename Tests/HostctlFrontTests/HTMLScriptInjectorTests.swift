@testable import HostctlFront
import Testing

/// The injection as a pure transformer: every body split at every offset (and into single
/// bytes) gives the same output, which is the input with the snippet inserted exactly once.
@Suite struct HTMLScriptInjectorTests {
    static let snippet = Array("<script src=\"/r.js\"></script>".utf8)

    /// Runs `chunks` through an injector; returns the output and how many pieces it emitted.
    static func inject(_ chunks: [[UInt8]]) -> [UInt8] {
        var injector = HTMLScriptInjector(snippet: snippet)
        var output: [UInt8] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { bytes in injector.feed(bytes) { output.append(contentsOf: $0) } }
        }
        injector.finish { output.append(contentsOf: $0) }
        return output
    }

    /// Every way to cut `body` in two, three pieces around each offset, and bytewise.
    static func splittings(_ body: [UInt8]) -> [[[UInt8]]] {
        var result: [[[UInt8]]] = [[body], body.map { [$0] }]
        for cut in 0...body.count {
            result.append([Array(body[..<cut]), Array(body[cut...])])
            if cut + 3 <= body.count {
                result.append([Array(body[..<cut]), Array(body[cut..<(cut + 3)]), Array(body[(cut + 3)...])])
            }
        }
        return result
    }

    static func expectEverySplit(_ body: String, gives expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for chunks in splittings(Array(body.utf8)) {
            let output = String(decoding: inject(chunks), as: UTF8.self)
            #expect(output == expected, "split \(chunks.map(\.count))", sourceLocation: sourceLocation)
        }
    }

    @Test func goesBeforeTheClosingBodyTag() {
        Self.expectEverySplit(
            "<html><body><h1>Hi</h1></body></html>",
            gives: "<html><body><h1>Hi</h1><script src=\"/r.js\"></script></body></html>"
        )
    }

    @Test func theTagMatchesInAnyCaseAndKeepsItsCase() {
        Self.expectEverySplit("<BODY>x</BoDy>\n", gives: "<BODY>x<script src=\"/r.js\"></script></BoDy>\n")
    }

    @Test func onlyBeforeTheFirstClosingTag() {
        Self.expectEverySplit("a</body>b</body>", gives: "a<script src=\"/r.js\"></script></body>b</body>")
    }

    @Test func aBodyWithoutTheTagGetsItAtTheEnd() {
        Self.expectEverySplit("<h1>fragment</h1>", gives: "<h1>fragment</h1><script src=\"/r.js\"></script>")
        Self.expectEverySplit("", gives: "<script src=\"/r.js\"></script>")
    }

    @Test func nearMissesAreContent() {
        // A partial tag at the end, a tag broken off, and "<" runs before the real one.
        Self.expectEverySplit("x</bod", gives: "x</bod<script src=\"/r.js\"></script>")
        Self.expectEverySplit("</bodx></body >", gives: "</bodx></body ><script src=\"/r.js\"></script>")
        Self.expectEverySplit("<</</b</body>", gives: "<</</b<script src=\"/r.js\"></script></body>")
        Self.expectEverySplit("</body/></body>", gives: "</body/><script src=\"/r.js\"></script></body>")
    }

    @Test func afterInjectingEverythingPassesThroughAsItCame() {
        var injector = HTMLScriptInjector(snippet: Self.snippet)
        var pieces: [[UInt8]] = []
        for chunk in ["<p>", "</body>", "tail"] {
            Array(chunk.utf8).withUnsafeBytes { bytes in injector.feed(bytes) { pieces.append(Array($0)) } }
        }
        #expect(injector.hasInjected)
        #expect(pieces.last == Array("tail".utf8), "no copy, no hold-back once injected")
        var more: [UInt8] = []
        injector.finish { more.append(contentsOf: $0) }
        #expect(more.isEmpty, "finish adds nothing more")
    }
}
