import HostctlCore
import HostctlHTTP1
import Testing

/// Thousands of pseudo-random inputs, built from HTTP-shaped pieces so they get past the first
/// checks: nothing traps, and whole and piecewise feeding agree.
@Suite struct HTTP1RandomInputTests {
    /// A deterministic generator (PCG-style LCG), so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 24
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
    }

    static let headPieces: [[UInt8]] = [
        "GET", "POST", "PUT", "CONNECT", "OPTIONS", "get", " ", " ", "/", "/a", "*", "?", "%", "http://", "https://", "x:80", "[::1]:443",
        "HTTP/1.1", "HTTP/1.0", "HTTP/2", "\r\n", "\r\n", "\r\n", "\n", "\r", ":", ": ", "Host", "Host: x", "Content-Length",
        "Content-Length: 3", "Transfer-Encoding", "chunked", "gzip, chunked", "Connection", "close", "keep-alive", "Expect",
        "100-continue", ",", "0", "5", "\t", "\u{0}", "\u{7F}", "é", "X-A", "=", "X: y\r\n", "Content-Length: 3\r\n",
        "Transfer-Encoding: chunked\r\n", "Connection: keep-alive\r\n", "\r\n\r\n", "\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n",
    ].map { Array($0.utf8) }

    static let bodyPieces: [[UInt8]] = [
        "0", "1", "5", "a", "F", "7FFFFFFF", "80000000", "\r\n", "\r\n", "\r\n", ";", "x=y", " ", "\"q\"", "\n", "\r",
        "hello", "abcde", "Trailer: v", ":", "\t", "\u{0}", "3\r\nabc\r\n", "3\r\nabc\r\n", "1;x=y\r\nz\r\n", "A\r\n0123456789\r\n",
        "T: v\r\n",
    ].map { Array($0.utf8) }

    static func input(_ generator: inout Generator, _ pieces: [[UInt8]], prefix: [UInt8], suffix: [UInt8] = []) -> [UInt8] {
        var bytes = generator.below(3) == 0 ? [] : prefix
        for _ in 0..<generator.below(generator.below(2) == 0 ? 8 : 40) {
            if generator.below(8) == 0 {
                bytes.append(generator.byte())
            } else {
                bytes += pieces[generator.below(pieces.count)]
            }
        }
        if generator.below(2) == 0 { bytes += suffix }
        return bytes
    }

    private func outcome(_ bytes: UnsafeRawBufferPointer, split: Int, limits: HTTP1Limits) -> HeadOutcome {
        var parser = HTTP1RequestHeadParser(limits: limits)
        var head = HTTP1RequestHead()
        do {
            if split < bytes.count, try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[..<split]), into: &head) { return .complete(head) }
            return try parser.parse(bytes, into: &head) ? .complete(head) : .incomplete
        } catch {
            return .failed(error.reason)
        }
    }

    private func body(_ bytes: [UInt8], framing: HTTP1BodyFraming, pieceSize: Int) -> BodyOutcome {
        var decoder = HTTP1BodyDecoder(framing: framing)
        var pending: [UInt8] = []
        var result = BodyOutcome()
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + pieceSize)
            pending += bytes[offset..<end]
            offset = end
            while result.error == nil, !result.isComplete {
                do {
                    let step = try decodeStep(&decoder, pending)
                    if let data = step.data { result.data += pending[data] }
                    pending.removeFirst(step.consumed)
                    result.consumed += step.consumed
                    result.isComplete = step.isComplete
                    if step.consumed == 0 && step.data == nil { break }
                } catch {
                    result.error = error.reason
                }
            }
        } while offset < bytes.count
        if result.isComplete { result.trailers = decoder.trailers.map { "\($0.name): \($0.value)" } }
        return result
    }

    @Test func headsNeverTrapAndSplitsAgree() {
        var generator = Generator(state: 0x1234_5678_9ABC_DEF0)
        var completed = 0
        for round in 0..<4000 {
            let bytes = Self.input(&generator, Self.headPieces, prefix: Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8), suffix: Array("\r\n\r\n".utf8))
            var limits = HTTP1Limits()
            limits.allowsBareLineFeed = round % 2 == 0
            if round % 5 == 0 { limits.maxRequestHeaderCount = 2; limits.maxRequestHeadersTotalSize = 24; limits.maxRequestLineSize = 20 }
            bytes.withUnsafeBytes { all in
                let whole = outcome(all, split: all.count, limits: limits)
                let split = outcome(all, split: generator.below(all.count + 1), limits: limits)
                #expect(split == whole, "input \(bytes)")
                if case .complete(let head) = whole {
                    completed += 1
                    let rest = Array(bytes[head.length...])
                    let framing = head.framing == .chunked ? HTTP1BodyFraming.chunked : .contentLength(min(rest.count, 3))
                    #expect(body(rest, framing: framing, pieceSize: 1) == body(rest, framing: framing, pieceSize: rest.count + 1))
                }
            }
        }
        #expect(completed > 100, "the generator reaches complete heads")
    }

    @Test func chunkedBodiesNeverTrapAndSplitsAgree() {
        var generator = Generator(state: 0x0FED_CBA9_8765_4321)
        var completed = 0
        for _ in 0..<4000 {
            let bytes = Self.input(&generator, Self.bodyPieces, prefix: Array("5\r\nhello\r\n".utf8), suffix: Array("0\r\n\r\n".utf8))
            let whole = body(bytes, framing: .chunked, pieceSize: bytes.count + 1)
            #expect(body(bytes, framing: .chunked, pieceSize: 1) == whole, "input \(bytes)")
            #expect(body(bytes, framing: .chunked, pieceSize: 1 + generator.below(7)) == whole, "input \(bytes)")
            if whole.isComplete { completed += 1 }
        }
        #expect(completed > 20, "the generator reaches complete bodies")
    }
}
