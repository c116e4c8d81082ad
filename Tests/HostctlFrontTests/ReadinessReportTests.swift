@testable import HostctlFront
import Testing

@Suite struct ReadinessReportTests {
    func report(_ chunks: String...) -> ReadinessReport.State {
        var report = ReadinessReport()
        for chunk in chunks { report.append(Array(chunk.utf8)) }
        return report.state
    }

    @Test func aPortAndANewlineInAnyPieces() {
        #expect(report("43121\n") == .port(43121))
        #expect(report("4", "31", "21", "\n") == .port(43121))
        #expect(report("431") == .waiting)
        #expect(report("8080\nignored") == .port(8080))
    }

    @Test func anythingElseIsInvalid() {
        #expect(report("0\n") == .invalid("0"))
        #expect(report("65536\n") == .invalid("65536"))
        #expect(report("ready\n") == .invalid("ready"))
        #expect(report("\n") == .invalid(""))
        #expect(report("123456789012345") == .invalid("123456789"), "too long for a port, newline or not")
    }
}
