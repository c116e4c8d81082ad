@testable import HostctlHTTP2
import Testing

/// The ring of recently closed streams: grown as streams close, then the oldest forgotten.
@Suite struct HTTP2ClosedStreamsTests {
    @Test func remembersTheLatestAndWhetherWeResetThem() {
        var closed = HTTP2ClosedStreams()
        #expect(closed.lookup(1) == nil)
        #expect(closed.lookup(0) == nil, "stream 0 is the connection, never a closed stream")
        let total = HTTP2ClosedStreams.capacity + 44
        for number in 0..<total {
            closed.record(HTTP2StreamID(rawValue: UInt32(2 * number + 1)), resetByUs: number % 3 == 0)
        }
        for number in 0..<total {
            let id = HTTP2StreamID(rawValue: UInt32(2 * number + 1))
            if number < 44 {
                #expect(closed.lookup(id) == nil, "stream \(id) is among the oldest, forgotten")
            } else {
                #expect(closed.lookup(id) == (number % 3 == 0), "stream \(id)")
            }
        }
        // The largest stream id (2^31 - 1) keeps its flag apart from its bits.
        closed.record(HTTP2StreamID(rawValue: 0x7FFF_FFFF), resetByUs: false)
        #expect(closed.lookup(HTTP2StreamID(rawValue: 0x7FFF_FFFF)) == false)
    }
}
