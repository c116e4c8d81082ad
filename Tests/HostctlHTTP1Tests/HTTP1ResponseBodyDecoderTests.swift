import HostctlCore
import HostctlHTTP1
import Testing

/// Response bodies by each framing, fed in every split, and what the end of the connection means.
@Suite struct HTTP1ResponseBodyDecoderTests {
    /// Decodes `input` delivered in pieces of `pieceSize`, then (if `ends`) the connection's
    /// end; the body, whether it completed, and any error.
    private func decode(
        _ input: String, _ framing: HTTP1ResponseBodyFraming, pieceSize: Int, ends: Bool = false
    ) -> (body: String, complete: Bool, trailers: [String], error: HTTP1ResponseParseError.Reason?) {
        var decoder = HTTP1ResponseBodyDecoder(framing: framing)
        let bytes = Array(input.utf8)
        var pending: [UInt8] = []
        var body: [UInt8] = []
        var offset = 0
        do throws(HTTP1ResponseParseError) {
            repeat {
                let end = min(bytes.count, offset + pieceSize)
                pending += bytes[offset..<end]
                offset = end
                while !decoder.isComplete {
                    let result = pending.withUnsafeBytes { raw in Result { () throws(HTTP1ResponseParseError) in try decoder.decode(raw) } }
                    let step = try result.get()
                    if let data = step.data { body += pending[data] }
                    pending.removeFirst(step.consumed)
                    if step.consumed == 0 && step.data == nil { break }
                }
            } while offset < bytes.count
            if ends { try decoder.inputEnded() }
        } catch {
            return (String(decoding: body, as: UTF8.self), decoder.isComplete, [], error.reason)
        }
        return (String(decoding: body, as: UTF8.self), decoder.isComplete, decoder.trailers.map { "\($0.name): \($0.value)" }, nil)
    }

    /// The same outcome whole, in every piece size, and one byte at a time.
    private func expectEveryway(
        _ input: String, _ framing: HTTP1ResponseBodyFraming, ends: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> (body: String, complete: Bool, trailers: [String], error: HTTP1ResponseParseError.Reason?) {
        let whole = decode(input, framing, pieceSize: input.utf8.count + 1, ends: ends)
        for size in 1...max(1, input.utf8.count) {
            let pieces = decode(input, framing, pieceSize: size, ends: ends)
            #expect(pieces.body == whole.body && pieces.complete == whole.complete && pieces.error == whole.error
                && pieces.trailers == whole.trailers, "pieces of \(size)", sourceLocation: sourceLocation)
        }
        return whole
    }

    @Test func contentLength() {
        let outcome = expectEveryway("hello", .contentLength(5))
        #expect(outcome.body == "hello" && outcome.complete && outcome.error == nil)
    }

    @Test func chunkedWithTrailers() {
        let outcome = expectEveryway("5\r\nhello\r\n1\r\n!\r\n0\r\nX-Sum: 42\r\n\r\n", .chunked)
        #expect(outcome.body == "hello!" && outcome.complete && outcome.trailers == ["X-Sum: 42"])
    }

    @Test func malformedChunkedIsAnInvalidResponse() {
        let outcome = expectEveryway("5\r\nhello\r\nzz\r\n", .chunked)
        #expect(outcome.error == .invalidChunkedBody(.badChunkSizeData))
    }

    @Test func untilCloseEndsWithTheConnection() {
        let open = expectEveryway("all of it", .untilClose)
        #expect(open.body == "all of it" && !open.complete)
        let closed = expectEveryway("all of it", .untilClose, ends: true)
        #expect(closed.body == "all of it" && closed.complete && closed.error == nil)
    }

    @Test func anEarlyEndIsATruncatedBody() {
        #expect(expectEveryway("hel", .contentLength(5), ends: true).error == .truncatedBody)
        #expect(expectEveryway("5\r\nhel", .chunked, ends: true).error == .truncatedBody)
    }

    @Test func noBodyIsCompleteAtOnce() {
        let decoder = HTTP1ResponseBodyDecoder(framing: .none)
        #expect(decoder.isComplete)
        var empty = HTTP1ResponseBodyDecoder(framing: .contentLength(0))
        #expect(empty.isComplete)
        #expect((try? empty.inputEnded()) != nil)
    }
}
