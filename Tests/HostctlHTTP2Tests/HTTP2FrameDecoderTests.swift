import HostctlCore
@testable import HostctlHTTP2
import Testing

/// The frame layer alone (RFC 9113 §4.1, §6): every frame type read with its fields, "need
/// more" for every proper prefix, and the shape errors with their scope.
@Suite struct HTTP2FrameDecoderTests {
    private func decode(_ bytes: [UInt8], maxFrameSize: Int = 16384) -> Result<(HTTP2Frame, Int)?, HTTP2Error> {
        bytes.withUnsafeBytes { raw in
            Result { () throws(HTTP2Error) in try HTTP2FrameDecoder.decode(raw, maxFrameSize: maxFrameSize) }
        }
    }

    /// Checks that every prefix of `bytes` needs more and that bytes after the frame change
    /// nothing, then hands the decoded frame to `body` while its payload is still valid.
    private func inspect(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation, _ body: (HTTP2Frame) -> Void) {
        for count in 0..<bytes.count {
            let prefix = decode(Array(bytes.prefix(count)))
            if case .success(let value) = prefix, value == nil { continue }
            Issue.record("prefix of \(count) bytes: \(prefix)", sourceLocation: sourceLocation)
        }
        #expect((try? decode(bytes + [0, 0, 9, 1]).get())??.1 == bytes.count, sourceLocation: sourceLocation)
        bytes.withUnsafeBytes { raw in
            do {
                guard let (frame, length) = try HTTP2FrameDecoder.decode(raw, maxFrameSize: 16384) else {
                    Issue.record("incomplete", sourceLocation: sourceLocation)
                    return
                }
                #expect(length == bytes.count, sourceLocation: sourceLocation)
                body(frame)
            } catch {
                Issue.record("\(error)", sourceLocation: sourceLocation)
            }
        }
    }

    private func failure(_ bytes: [UInt8], maxFrameSize: Int = 16384) -> HTTP2Error? {
        if case .failure(let error) = decode(bytes, maxFrameSize: maxFrameSize) { return error }
        return nil
    }

    @Test func data() {
        inspect(Client.data(3, "abc", endStream: true)) { frame in
            guard case .data(let plain) = frame else { Issue.record("not data"); return }
            #expect(plain.streamID == 3 && plain.endStream && Array(plain.data) == Array("abc".utf8) && plain.flowControlledLength == 3)
        }
        inspect(Client.data(5, "xy", padding: 4)) { frame in
            guard case .data(let padded) = frame else { Issue.record("not data"); return }
            #expect(!padded.endStream && Array(padded.data) == Array("xy".utf8) && padded.flowControlledLength == 7)
        }
        inspect(Client.frame(0x0, flags: 0x8, stream: 1, [3, 0, 0, 0])) { frame in
            guard case .data(let allPadding) = frame else { Issue.record("not data"); return }
            #expect(allPadding.data.isEmpty && allPadding.flowControlledLength == 4)
        }
        #expect(failure(Client.frame(0x0, flags: 0x8, stream: 1, [4, 0, 0, 0])) == HTTP2Error(.paddingTooLong(.data)))
        #expect(failure(Client.frame(0x0, flags: 0x8, stream: 1)) == HTTP2Error(.frameTooShort(.data)))
        #expect(failure(Client.frame(0x0, stream: 0, [1])) == HTTP2Error(.streamIDZero(.data)))
    }

    @Test func headers() {
        inspect(Client.headers(1, [0x82, 0x84], endStream: false, endHeaders: false)) { frame in
            guard case .headers(let plain) = frame else { Issue.record("not headers"); return }
            #expect(plain.streamID == 1 && !plain.endStream && !plain.endHeaders && plain.priority == nil && Array(plain.fragment) == [0x82, 0x84])
        }
        inspect(Client.headers(7, [0x82], padding: 2, priority: (0x8000_0003, 255))) { frame in
            guard case .headers(let full) = frame else { Issue.record("not headers"); return }
            #expect(full.endStream && full.endHeaders && Array(full.fragment) == [0x82])
            #expect(full.priority == HTTP2Priority(exclusive: true, dependency: 3, weight: 256))
        }
        #expect(failure(Client.frame(0x1, flags: 0x20, stream: 1, [0, 0, 0])) == HTTP2Error(.frameTooShort(.headers)))
        #expect(failure(Client.frame(0x1, flags: 0x28, stream: 1, [1, 0, 0, 0, 0, 0])) == HTTP2Error(.paddingTooLong(.headers)))
        #expect(failure(Client.frame(0x1, stream: 0)) == HTTP2Error(.streamIDZero(.headers)))
    }

    @Test func priority() {
        inspect(Client.priority(5, dependsOn: 3, weight: 9)) { frame in
            guard case .priority(let priority) = frame else { Issue.record("not priority"); return }
            #expect(priority.streamID == 5 && priority.priority == HTTP2Priority(exclusive: false, dependency: 3, weight: 10))
        }
        #expect(failure(Client.frame(0x2, stream: 5, [0, 0, 0, 3])) == .stream(.unexpectedFrameLength(.priority, expected: 5), 5))
        #expect(failure(Client.priority(5, dependsOn: 5)) == .stream(.streamSelfDependency(.priority), 5))
        #expect(failure(Client.priority(0, dependsOn: 1)) == HTTP2Error(.streamIDZero(.priority)))
    }

    @Test func rstStream() {
        inspect(Client.rst(9, code: 0xB)) { frame in
            guard case .rstStream(let reset) = frame else { Issue.record("not rstStream"); return }
            #expect(reset.streamID == 9 && reset.errorCode == .enhanceYourCalm)
        }
        #expect(failure(Client.frame(0x3, stream: 1, [0, 0, 8])) == HTTP2Error(.unexpectedFrameLength(.rstStream, expected: 4)))
        #expect(failure(Client.rst(0)) == HTTP2Error(.streamIDZero(.rstStream)))
    }

    @Test func settings() {
        inspect(Client.settings([(0x4, 1000), (0x99, 7)])) { frame in
            guard case .settings(let settings) = frame else { Issue.record("not settings"); return }
            #expect(!settings.isAck && settings.parameterCount == 2)
            #expect(settings.parameter(at: 0) == (0x4, 1000) && settings.parameter(at: 1) == (0x99, 7))
        }
        inspect(Client.settingsAck) { frame in
            guard case .settings(let ack) = frame else { Issue.record("not settings"); return }
            #expect(ack.isAck && ack.parameterCount == 0)
        }
    }

    @Test func pushPromise() {
        inspect(Client.frame(0x5, flags: 0x4, stream: 1, [0, 0, 0, 2, 0x82])) { frame in
            guard case .pushPromise(let promise) = frame else { Issue.record("not pushPromise"); return }
            #expect(promise.promisedStreamID == 2 && promise.endHeaders && Array(promise.fragment) == [0x82])
        }
        #expect(failure(Client.frame(0x5, stream: 1, [0, 0])) == HTTP2Error(.frameTooShort(.pushPromise)))
    }

    @Test func ping() {
        inspect(Client.ping([1, 2, 3, 4, 5, 6, 7, 8], ack: true)) { frame in
            guard case .ping(let ping) = frame else { Issue.record("not ping"); return }
            #expect(ping.isAck && withUnsafeBytes(of: ping.payload) { Array($0) } == [1, 2, 3, 4, 5, 6, 7, 8])
        }
        #expect(failure(Client.frame(0x6, stream: 1, [0, 0, 0, 0, 0, 0, 0, 0])) == HTTP2Error(.streamIDNotZero(.ping)))
    }

    @Test func goAway() {
        inspect(Client.frame(0x7, Client.be32(0x8000_0005) + Client.be32(2) + Array("why".utf8))) { frame in
            guard case .goAway(let goAway) = frame else { Issue.record("not goAway"); return }
            #expect(goAway.lastStreamID == 5 && goAway.errorCode == .internalError && Array(goAway.debugData) == Array("why".utf8))
        }
        #expect(failure(Client.frame(0x7, [0, 0, 0, 0])) == HTTP2Error(.frameTooShort(.goAway)))
        #expect(failure(Client.frame(0x7, stream: 3, [0, 0, 0, 0, 0, 0, 0, 0])) == HTTP2Error(.streamIDNotZero(.goAway)))
    }

    @Test func windowUpdate() {
        inspect(Client.windowUpdate(3, 0x8000_0010)) { frame in
            guard case .windowUpdate(let update) = frame else { Issue.record("not windowUpdate"); return }
            #expect(update.streamID == 3 && update.increment == 16, "the reserved bit is ignored")
        }
        #expect(failure(Client.windowUpdate(3, 0)) == .stream(.windowUpdateIncrementZero, 3))
        #expect(failure(Client.windowUpdate(0, 0)) == HTTP2Error(.windowUpdateIncrementZero))
    }

    @Test func continuationAndUnknown() {
        inspect(Client.continuation(11, [1, 2], endHeaders: true)) { frame in
            guard case .continuation(let continuation) = frame else { Issue.record("not continuation"); return }
            #expect(continuation.streamID == 11 && continuation.endHeaders && Array(continuation.fragment) == [1, 2])
        }
        inspect(Client.frame(0x42, flags: 0x7, stream: 0x8000_0001, [9, 9])) { frame in
            guard case .unknown(let header) = frame else { Issue.record("not unknown"); return }
            #expect(header == HTTP2FrameHeader(length: 2, type: HTTP2FrameType(rawValue: 0x42), flags: HTTP2FrameFlags(rawValue: 7), streamID: 1))
        }
    }

    @Test func frameSizeLimit() {
        let big = Client.frame(0x0, stream: 1, [UInt8](repeating: 0, count: 16385))
        #expect(failure(Array(big.prefix(9))) == HTTP2Error(.frameTooLarge(size: 16385, limit: 16384)), "from the header alone")
        #expect((try? decode(big, maxFrameSize: 1 << 20).get())??.1 == big.count)
    }
}
