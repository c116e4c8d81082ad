import HostctlCore
import HostctlHosting
@testable import HostctlServerCore
import Testing

/// HTTP.sys's request timing feature: stamps in order, the completion callback, and no
/// feature where it is not applied.
@Suite struct RequestTimingTests {
    static let get = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

    /// What a handler saw of the feature, and what its completion callback saw.
    final class Observations: @unchecked Sendable {
        var hadFeature = false
        var inHandler: [HTTPRequestTimingPoint: Int64] = [:]
        var atCompletion: [[HTTPRequestTimingPoint: Int64]] = []
        var features: [ObjectIdentifier] = []
    }

    static func stamps(_ timing: HTTPRequestTimingFeature) -> [HTTPRequestTimingPoint: Int64] {
        var stamps: [HTTPRequestTimingPoint: Int64] = [:]
        for point in HTTPRequestTimingPoint.allCases { stamps[point] = timing.timestamp(point) }
        return stamps
    }

    static func harness(extras: Bool = true, records: Bool = true, readsBody: Bool = false) -> (Harness, Observations) {
        let seen = Observations()
        let harness = Harness(options: { $0.recordsRequestTiming = records }, httpSysExtras: extras) { context in
            guard let timing = context.features[HTTPRequestTimingFeature.self] else { return }
            seen.hadFeature = true
            seen.features.append(ObjectIdentifier(timing))
            seen.inHandler = stamps(timing)
            timing.onResponseCompleted { seen.atCompletion.append(stamps(timing)) }
            if readsBody { _ = try await context.request.body.drain() }
            try await context.response.write("ok")
        }
        return (harness, seen)
    }

    @Test func stampsAreInOrderAndTheLastComesWithTheCallback() throws {
        let (harness, seen) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.get)
        #expect(harness.transport.takeSent().hasSuffix("ok"))
        #expect(seen.hadFeature)
        #expect(seen.inHandler[.responseCompleted] == nil, "the response completes after the pipeline returns")
        #expect(seen.atCompletion.count == 1, "the callback ran once")
        let stamps = try #require(seen.atCompletion.first)
        let ordered = HTTPRequestTimingPoint.allCases.map { stamps[$0] }
        #expect(ordered.allSatisfy { $0 != nil }, "every point stamped: \(stamps)")
        let times = ordered.compactMap { $0 }
        #expect(times == times.sorted(), "in order: \(stamps)")
    }

    @Test func elapsedTimeSpansTwoStamps() {
        let (harness, seen) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.get)
        let timing = harness.connection.extras!.timeline!
        let stamps = seen.atCompletion[0]
        #expect(timing.elapsedTime(from: .dataReceived, to: .responseCompleted) == .nanoseconds(stamps[.responseCompleted]! - stamps[.dataReceived]!))
        #expect(timing.elapsedTime(from: .handedToApplication, to: .handedToApplication) == .zero)
    }

    @Test func theFeatureObjectIsTheConnectionsAndStampsEachRequestAnew() {
        let (harness, seen) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.get)
        harness.feed(Self.get)
        #expect(seen.atCompletion.count == 2)
        #expect(seen.features.count == 2 && seen.features[0] == seen.features[1], "one object per connection, reused")
        let first = seen.atCompletion[0], second = seen.atCompletion[1]
        #expect(first[.connectionAccepted] == second[.connectionAccepted])
        #expect(second[.dataReceived]! >= first[.responseCompleted]!)
    }

    @Test func pipelinedRequestsAreEachStamped() {
        let (harness, seen) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.get + Self.get)
        #expect(seen.atCompletion.count == 2)
        let second = seen.atCompletion[1]
        #expect(HTTPRequestTimingPoint.allCases.allSatisfy { second[$0] != nil })
        #expect(second[.dataReceived]! >= seen.atCompletion[0][.responseCompleted]!, "read behind the first, it starts when the first ends")
    }

    @Test func anAbortedRequestRunsTheCallbackOnceWithNoCompletion() {
        let (harness, seen) = Self.harness(readsBody: true)
        harness.feed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")
        #expect(seen.atCompletion.isEmpty)
        harness.connection.inputClosed()
        harness.loop.runUntilIdle()
        #expect(seen.atCompletion.count == 1)
        #expect(seen.atCompletion.first?[.responseCompleted] == nil)
        #expect(seen.atCompletion.first?[.handedToApplication] != nil)
    }

    @Test func aCallbackRegisteredOnceTheRequestIsOverRunsAtOnce() {
        let (harness, _) = Self.harness()
        defer { harness.finish() }
        harness.feed(Self.get)
        var ran = 0
        harness.connection.extras!.timeline!.onResponseCompleted { ran += 1 }
        #expect(ran == 1)
    }

    /// The completion stamp is read where it can be, in a callback; a request without one is
    /// not stamped at its end (the clock read is spared), but every earlier stamp is kept.
    @Test func theCompletionIsStampedOnlyForARequestWithACallback() throws {
        let seen = Observations()
        let harness = Harness(httpSysExtras: true) { context in
            let timing = try #require(context.features[HTTPRequestTimingFeature.self])
            seen.features.append(ObjectIdentifier(timing))
            // Only the second request asks to hear of its end.
            if seen.features.count == 2 { timing.onResponseCompleted { seen.atCompletion.append(Self.stamps(timing)) } }
            try await context.response.write("ok")
        }
        defer { harness.finish() }
        harness.feed(Self.get)
        let timeline = try #require(harness.connection.extras?.timeline)
        let first = Self.stamps(timeline)
        #expect(first[.responseCompleted] == nil, "no callback, no completion stamp: \(first)")
        #expect(first[.handedToApplication] != nil && first[.headersParsed] != nil && first[.dataReceived] != nil)
        harness.feed(Self.get)
        #expect(seen.atCompletion.count == 1)
        let second = try #require(seen.atCompletion.first)
        #expect(second[.responseCompleted] != nil && second[.responseCompleted]! >= second[.handedToApplication]!)
    }

    @Test func noFeatureWithoutTheExtrasOrWhenRecordingIsOff() {
        for (extras, records) in [(false, true), (true, false)] {
            let (harness, seen) = Self.harness(extras: extras, records: records)
            harness.feed(Self.get)
            #expect(harness.transport.takeSent().hasPrefix("HTTP/1.1 200 OK"))
            #expect(!seen.hadFeature, "extras \(extras), recording \(records)")
            #expect(harness.connection.extras?.timeline == nil)
            harness.finish()
        }
    }
}
