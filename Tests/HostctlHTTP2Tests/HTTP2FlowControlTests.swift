import HostctlCore
import HostctlHPACK
@testable import HostctlHTTP2
import Testing

/// Flow control both ways (RFC 9113 §5.2, §6.9): the client's DATA within our windows, which
/// reopen as the app reads, in batches; our DATA within the client's windows.
@Suite struct HTTP2FlowControlTests {
    private func post(_ harness: Harness, _ id: UInt32 = 1) {
        harness.feed((id == 1 ? Client.start : []) + Client.headers(id, RequestEncoder().request("/", method: "POST"), endStream: false))
        _ = harness.frames()
    }

    private func windowUpdates(_ harness: Harness) -> [String] {
        harness.frames().filter { $0.type == 0x8 }.map(\.description)
    }

    /// The app reads as bytes come: a WINDOW_UPDATE per half window, not per frame.
    @Test func creditIsBatchedAtHalfTheWindow() {
        let harness = Harness()
        post(harness)
        let chunk = [UInt8](repeating: 0x61, count: 16384)
        for _ in 0..<23 { harness.feed(Client.data(1, chunk)) }  // 368 KiB: under half of 768 KiB
        #expect(windowUpdates(harness) == [])
        harness.feed(Client.data(1, chunk))  // 384 KiB: half the stream window
        #expect(windowUpdates(harness) == ["WINDOW_UPDATE(1, +393216)"])
        for _ in 0..<8 { harness.feed(Client.data(1, chunk)) }  // the connection's half: 512 KiB
        #expect(windowUpdates(harness) == ["WINDOW_UPDATE(0, +524288)"])
    }

    /// An app that does not read: the client can send the stream window and no more; nothing is
    /// credited until the app reads.
    @Test func anAppThatDoesNotReadStopsTheClient() {
        let harness = Harness()
        harness.consumesData = false
        post(harness)
        let chunk = [UInt8](repeating: 0x61, count: 16384)
        for _ in 0..<48 { harness.feed(Client.data(1, chunk)) }  // exactly 768 KiB
        #expect(windowUpdates(harness) == [])
        #expect(harness.machine.trackedStreamCount == 1 && !harness.machine.isClosed)
        #expect(harness.feed(Client.data(1, [0x61])) == [.connectionError(.flowControlWindowExceeded)])
    }

    @Test func readingLaterOpensTheWindows() {
        let harness = Harness()
        harness.consumesData = false
        post(harness)
        let chunk = [UInt8](repeating: 0x61, count: 16384)
        for _ in 0..<48 { harness.feed(Client.data(1, chunk)) }
        harness.machine.dataConsumed(100_000, stream: 1, output: harness.output)
        #expect(windowUpdates(harness) == [], "less than half owed")
        harness.machine.dataConsumed(700_000, stream: 1, output: harness.output)
        #expect(windowUpdates(harness) == ["WINDOW_UPDATE(0, +786432)", "WINDOW_UPDATE(1, +786432)"], "capped at what was delivered")
    }

    /// One stream's unread body must not starve the others of the connection window.
    @Test func aStreamThatIsNotReadDoesNotStarveTheOthers() {
        let harness = Harness()
        harness.consumesData = false
        post(harness, 1)
        post(harness, 3)
        let chunk = [UInt8](repeating: 0x61, count: 16384)
        for _ in 0..<48 { harness.feed(Client.data(1, chunk)) }  // stream 1: 768 KiB, never read
        // Stream 3 gets the rest of the connection window (256 KiB), read at once.
        for _ in 0..<16 {
            harness.feed(Client.data(3, chunk))
            harness.machine.dataConsumed(16384, stream: 3, output: harness.output)
        }
        // The connection window was nearly used up: what stream 3 read was given back.
        let updates = windowUpdates(harness)
        #expect(updates.contains { $0.hasPrefix("WINDOW_UPDATE(0,") })
        for _ in 0..<16 {
            #expect(harness.feed(Client.data(3, chunk)).count == 1)
            harness.machine.dataConsumed(16384, stream: 3, output: harness.output)
        }
        #expect(!harness.machine.isClosed)
    }

    @Test func paddingIsCreditedAtOnce() {
        let harness = Harness()
        harness.consumesData = false
        post(harness)
        for _ in 0..<4 { harness.feed(Client.data(1, [1], padding: 255)) }  // 4 × 257 octets of window, 4 octets of data
        harness.machine.dataConsumed(4, stream: 1, output: harness.output)
        // Under the batching threshold: owed, not yet sent; but nothing lost: a finished stream gives all back.
        harness.machine.resetStream(1, code: .cancel, output: harness.output)
        harness.machine.streamFinished(1, output: harness.output)
        #expect(harness.machine.connectionPendingCredit == 4 * 257)
    }

    @Test func dataOnAResetStreamStillCountsForTheConnection() {
        let harness = Harness()
        post(harness)
        harness.machine.resetStream(1, code: .cancel, output: harness.output)
        let chunk = [UInt8](repeating: 0x61, count: 16384)
        // In flight before the client saw our RST_STREAM: ignored, and credited to the connection.
        for _ in 0..<40 { #expect(harness.feed(Client.data(1, chunk)).isEmpty) }
        #expect(windowUpdates(harness) == ["WINDOW_UPDATE(0, +524288)"])
    }

    // MARK: Sending

    @Test func writesStopAtTheClientsWindows() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields(), endStream: false, output: harness.output)
        _ = harness.frames()
        let body = [UInt8](repeating: 0x62, count: 100_000)
        #expect(body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: true, output: harness.output) } == 65535)
        #expect(harness.frames().map { $0.payload.count } == [16384, 16384, 16384, 16383])
        #expect(harness.machine.sendWindow(for: 1) == 0)
        #expect(body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: true, output: harness.output) } == 0)
        // The stream's window opens; the connection's is still closed.
        #expect(harness.feed(Client.windowUpdate(1, 50000)) == [.windowOpened(1)])
        #expect(harness.machine.sendWindow(for: 1) == 0)
        #expect(harness.feed(Client.windowUpdate(0, 100)) == [.windowOpened(0)])
        #expect(harness.machine.sendWindow(for: 1) == 100)
        #expect(body.withUnsafeBytes { harness.machine.writeData(UnsafeRawBufferPointer(rebasing: $0[65535...]), stream: 1, endStream: true, output: harness.output) } == 100)
        #expect(harness.frames().map(\.flags) == [0], "no END_STREAM: bytes remain")
    }

    @Test func emptyEndOfStreamNeedsNoWindow() {
        let harness = Harness()
        harness.feed(Client.start + Client.settings([(0x4, 0)]) + Client.headers(1, RequestEncoder().request()))
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields(), endStream: false, output: harness.output)
        _ = harness.frames()
        #expect([UInt8]().withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: true, output: harness.output) } == 0)
        #expect(harness.frames().map(\.description) == ["DATA(stream 1, flags 0x1, 0 bytes)"])
    }

    /// SETTINGS_INITIAL_WINDOW_SIZE moves every open stream's window by the difference, below
    /// zero if need be, and never the connection's.
    @Test func initialWindowSizeChangesShiftOpenStreams() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()))
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields(), endStream: false, output: harness.output)
        let body = [UInt8](repeating: 0x62, count: 60000)
        #expect(body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: false, output: harness.output) } == 60000)
        harness.feed(Client.settings([(0x4, 1000)]))
        #expect(harness.machine.streams[0].sendWindow == 1000 - 60000)
        #expect(harness.machine.connectionSendWindow == 5535)
        harness.feed(Client.settings([(0x4, 100_000)]))
        #expect(harness.machine.sendWindow(for: 1) == 5535, "the connection's window is the smaller now")
        // A new stream starts from the new value.
        harness.feed(Client.headers(3, RequestEncoder().request()))
        #expect(harness.machine.streams[1].sendWindow == 100_000)
        // Past 2^31−1: a connection FLOW_CONTROL_ERROR.
        harness.feed(Client.windowUpdate(3, 0x7FFF_FFFF - 100_000))
        #expect(harness.feed(Client.settings([(0x4, 100_001)])).last == .connectionError(.initialWindowSizeInvalid))
    }

    @Test func windowOverflowAndZeroIncrements() {
        let harness = Harness()
        harness.feed(Client.start + Client.headers(1, RequestEncoder().request()) + Client.headers(3, RequestEncoder().request()))
        _ = harness.frames()
        #expect(harness.feed(Client.windowUpdate(1, 0x7FFF_FFFF)) == [.reset(1, .windowUpdateSizeInvalid)])
        #expect(harness.frames().map(\.description) == ["RST_STREAM(1, FLOW_CONTROL_ERROR)"])
        #expect(harness.feed(Client.windowUpdate(3, 0)) == [.reset(3, .windowUpdateIncrementZero)])
        #expect(harness.frames().map(\.description) == ["RST_STREAM(3, PROTOCOL_ERROR)"])
        #expect(harness.feed(Client.windowUpdate(0, 0)) == [.connectionError(.windowUpdateIncrementZero)])
        let other = Harness()
        other.feed(Client.start)
        #expect(other.feed(Client.windowUpdate(0, 0x7FFF_FFFF)) == [.connectionError(.windowUpdateSizeInvalid)])
        #expect(Harness().feed(Client.start + Client.frame(0x8, [0, 0, 1])).last == .connectionError(.unexpectedFrameLength(.windowUpdate, expected: 4)))
    }

    @Test func dataFramesFollowTheClientsFrameSize() {
        let harness = Harness()
        harness.feed(Client.start + Client.settings([(0x5, 20000), (0x4, 1 << 20)]) + Client.windowUpdate(0, 1 << 20) + Client.headers(1, RequestEncoder().request()))
        _ = try? harness.machine.writeHeaders(1, status: 200, fields: HTTPFields(), endStream: false, output: harness.output)
        _ = harness.frames()
        let body = [UInt8](repeating: 0x62, count: 50000)
        #expect(body.withUnsafeBytes { harness.machine.writeData($0, stream: 1, endStream: true, output: harness.output) } == 50000)
        #expect(harness.frames().map { "\($0.payload.count)/\($0.flags)" } == ["20000/0", "20000/0", "10000/1"])
    }
}
