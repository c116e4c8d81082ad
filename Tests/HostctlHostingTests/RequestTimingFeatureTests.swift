import Hostctl
import HostctlCore
@testable import HostctlHosting
import HostctlLogging
import Testing

/// The request timing feature as apps see it: elapsed times, the connection-wide feature
/// slot servers put it in, and the timing log middleware.
@Suite struct RequestTimingFeatureTests {
    /// Stamps set by hand; keeps its callbacks for the test to run.
    final class FixedTiming: HTTPRequestTimingFeature, @unchecked Sendable {
        var stamps: [HTTPRequestTimingPoint: Int64]
        var callbacks: [() -> Void] = []

        init(_ stamps: [HTTPRequestTimingPoint: Int64]) { self.stamps = stamps }

        func timestamp(_ point: HTTPRequestTimingPoint) -> Int64? { stamps[point] }
        func onResponseCompleted(_ callback: @escaping () -> Void) { callbacks.append(callback) }
    }

    static let completed = FixedTiming([
        .connectionAccepted: 1_000_000, .dataReceived: 1_100_000, .headersParsed: 1_120_000,
        .handedToApplication: 1_130_000, .responseCompleted: 1_440_000,
    ])

    @Test func elapsedTimeNeedsBothStamps() {
        #expect(Self.completed.elapsedTime(from: .dataReceived, to: .responseCompleted) == .microseconds(340))
        let aborted = FixedTiming([.connectionAccepted: 5, .dataReceived: 7])
        #expect(aborted.elapsedTime(from: .connectionAccepted, to: .dataReceived) == .nanoseconds(2))
        #expect(aborted.elapsedTime(from: .dataReceived, to: .responseCompleted) == nil)
    }

    @Test func theLogLineSaysWhereTheTimeWent() {
        #expect(
            RequestTimingLog.line(method: .get, path: "/", status: 200, timing: Self.completed)
                == "GET / 200: queue 0.01 ms, app 0.31 ms, total 0.34 ms (accepted→data 0.10 ms, parse 0.02 ms)"
        )
        let aborted = FixedTiming([.connectionAccepted: 0, .dataReceived: 2_000_000, .headersParsed: 2_004_999, .handedToApplication: 2_005_000])
        #expect(
            RequestTimingLog.line(method: .post, path: "/upload", status: 200, timing: aborted)
                == "POST /upload aborted: queue 0.00 ms (accepted→data 2.00 ms, parse 0.00 ms)"
        )
        #expect(RequestTimingLog.milliseconds(.milliseconds(1234)) == "1234.00 ms")
        #expect(RequestTimingLog.milliseconds(.nanoseconds(5_000)) == "0.01 ms", "rounded to the nearest hundredth")
    }

    @Test func theLogMiddlewareWaitsForTheFeatureAndDoesNothingWithoutIt() async throws {
        let timing = FixedTiming([:])
        let sink = MemoryLogSink()
        let withFeature = ApplicationBuilder()
        withFeature.loggerFactory = LoggerFactory(sinks: [sink])
        withFeature.use { context, next in
            context.setFeature(HTTPRequestTimingFeature.self, timing)
            try await next(context)
        }
        withFeature.useRequestTimingLog()
        withFeature.get("/") { try await $0.response.write("ok") }
        #expect(try await withFeature.respond(to: .get, "/").text == "ok")
        #expect(timing.callbacks.count == 1, "registered for the response's completion")
        timing.stamps = Self.completed.stamps
        for callback in timing.callbacks { callback() }
        timing.callbacks.removeAll()  // as a server's feature does once they have run
        let line = try #require(sink.entries.first)
        #expect(line.category == "Hostctl.RequestTiming" && line.level == .information && line.eventID.id == 1)
        #expect(line.message == "GET / 200: queue 0.01 ms, app 0.31 ms, total 0.34 ms (accepted→data 0.10 ms, parse 0.02 ms)")

        let silenced = ApplicationBuilder()
        silenced.loggerFactory = LoggerFactory(sinks: [sink], rules: [LogFilterRule(category: "Hostctl", level: .warning)])
        silenced.use { context, next in
            context.setFeature(HTTPRequestTimingFeature.self, timing)
            try await next(context)
        }
        silenced.useRequestTimingLog()
        silenced.get("/") { try await $0.response.write("ok") }
        #expect(try await silenced.respond(to: .get, "/").text == "ok")
        #expect(timing.callbacks.isEmpty, "filtered out: no callback, no line")

        let without = ApplicationBuilder()
        without.useRequestTimingLog()
        without.get("/") { try await $0.response.write("ok") }
        #expect(try await without.respond(to: .get, "/").text == "ok")
    }

    @Test func aConnectionFeatureOutlivesEachRequestAndARequestFeatureWins() {
        let context = HTTPContext(connection: ConnectionInfo(id: "c", local: nil, remote: nil))
        let connectionWide = FixedTiming([:]), perRequest = FixedTiming([:])
        context.setConnectionFeature(HTTPRequestTimingFeature.self, connectionWide)
        context.prepare(requestNumber: 1, maxRequestBodySize: nil)
        #expect(context.features[HTTPRequestTimingFeature.self] === connectionWide)
        context.setFeature(HTTPRequestTimingFeature.self, perRequest)
        #expect(context.features[HTTPRequestTimingFeature.self] === perRequest)
        context.prepare(requestNumber: 2, maxRequestBodySize: nil)
        #expect(context.features[HTTPRequestTimingFeature.self] === connectionWide)
        #expect(context.features[HTTPRequestFeature.self] === context.request, "the standard features still answer")
    }
}
