import HostctlCore
@testable import HostctlFront
import Testing

/// Which responses the browser-refresh script goes into (HostctlFrontTests' BrowserRefreshTests
/// send them through a real front).
@Suite struct ScriptInjectingWriterTests {
    static func fields(_ pairs: [(String, String)]) -> HTTPFields { HTTPFields(pairs) }

    @Test func htmlWithABodyGetsIt() {
        #expect(ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html; charset=utf-8")])))
        #expect(ScriptInjectingWriter.shouldInject(status: 404, headers: Self.fields([("content-type", "TEXT/HTML")])))
        #expect(ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", " text/html ;q=1"), ("Content-Encoding", "identity")])))
        #expect(ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html"), ("Cache-Control", "no-cache, max-age=0")])))
    }

    @Test func otherTypesNever() {
        for type in ["text/plain", "application/json", "text/html-sandboxed", "application/xhtml+xml"] {
            #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", type)])), "\(type)")
        }
        #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: HTTPFields()), "no type at all")
    }

    @Test func compressedOrNoTransformNever() {
        #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html"), ("Content-Encoding", "gzip")])))
        #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html"), ("Content-Encoding", "identity, br")])))
        #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html"), ("Cache-Control", "public, No-Transform")])))
        #expect(!ScriptInjectingWriter.shouldInject(status: 200, headers: Self.fields([("Content-Type", "text/html"), ("Cache-Control", "public"), ("Cache-Control", "no-transform")])))
    }

    @Test func statusesWithoutAWholeBodyNever() {
        for status in [101, 204, 206, 304] {
            #expect(!ScriptInjectingWriter.shouldInject(status: status, headers: Self.fields([("Content-Type", "text/html")])), "\(status)")
        }
    }
}
