@testable import HostctlCore
import Testing

/// IMF-fixdate (RFC 9110 §5.6.7) from seconds since the epoch.
@Suite struct HTTPDateTests {
    @Test(arguments: [
        (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),   // RFC 9110's example
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),    // 2000 is a leap year (divisible by 400)
        (951_868_800, "Wed, 01 Mar 2000 00:00:00 GMT"),
        (1_078_012_800, "Sun, 29 Feb 2004 00:00:00 GMT"),
        (1_709_164_800, "Thu, 29 Feb 2024 00:00:00 GMT"),
        (2_147_483_647, "Tue, 19 Jan 2038 03:14:07 GMT"),
        (2_147_483_648, "Tue, 19 Jan 2038 03:14:08 GMT"),  // past 32-bit time_t
        (4_107_499_200, "Sun, 28 Feb 2100 12:00:00 GMT"),
        (4_107_542_400, "Mon, 01 Mar 2100 00:00:00 GMT"),  // 2100 is not a leap year
        (13_574_649_599, "Tue, 29 Feb 2400 23:59:59 GMT"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 GMT"),
    ])
    func knownDates(_ seconds: Int, _ expected: String) {
        #expect(HTTPDate.string(secondsSinceEpoch: seconds) == expected)
    }

    @Test func outOfRangeTimesAreClamped() {
        #expect(HTTPDate.string(secondsSinceEpoch: Int.max) == "Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(HTTPDate.string(secondsSinceEpoch: Int.min) == "Sat, 01 Jan 0000 00:00:00 GMT")
    }

    @Test func writesExactly29Bytes() {
        var buffer = [UInt8](repeating: 0xEE, count: 40)
        buffer.withUnsafeMutableBytes { HTTPDate.write(secondsSinceEpoch: 784_111_777, into: $0) }
        #expect(String(decoding: buffer[..<29], as: UTF8.self) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(buffer[29...].allSatisfy { $0 == 0xEE })
        #expect(HTTPDate.length == 29)
    }

    /// Checks the arithmetic against a slow calendar walk for a spread of times, 1970–2400.
    @Test func agreesWithACalendarWalk() {
        let dayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let seconds = Int(state >> 33) % 13_574_649_600
            var days = seconds / 86_400
            let weekday = dayNames[days % 7]
            var year = 1970
            while days >= (isLeap(year) ? 366 : 365) { days -= isLeap(year) ? 366 : 365; year += 1 }
            let monthLengths = [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            var month = 0
            while days >= monthLengths[month] { days -= monthLengths[month]; month += 1 }
            let second = seconds % 86_400
            let expected = "\(weekday), \(two(days + 1)) \(monthNames[month]) \(year) \(two(second / 3600)):\(two(second / 60 % 60)):\(two(second % 60)) GMT"
            #expect(HTTPDate.string(secondsSinceEpoch: seconds) == expected)
        }
    }
}

/// Reading HTTP dates in the three forms RFC 9110 §5.6.7 asks recipients to accept.
@Suite struct HTTPDateParsingTests {
    @Test(arguments: [
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Sunday, 06-Nov-94 08:49:37 GMT", 784_111_777),
        ("Sun Nov  6 08:49:37 1994", 784_111_777),
        ("Tue, 29 Feb 2000 00:00:00 GMT", 951_782_400),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Wed, 31 Dec 1969 23:59:59 GMT", -1),
        ("Friday, 31-Dec-69 23:59:59 GMT", 3_155_759_999),
        ("  Sun, 06 Nov 1994 08:49:37 GMT  ", 784_111_777),
    ])
    func parses(_ text: String, _ seconds: Int) {
        #expect(HTTPDate.parse(text) == seconds)
    }

    @Test func roundTrips() {
        for seconds in stride(from: -100_000_000, through: 4_000_000_000, by: 12_345_679) {
            #expect(HTTPDate.parse(HTTPDate.string(secondsSinceEpoch: seconds)) == seconds)
        }
    }

    @Test(arguments: [
        "", "yesterday", "Sun, 06 Nov 1994 08:49:37", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nox 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:49:37 GMT x",
        "Sun Nov  6 08:49:37", "Mon, 29 Feb 2100 00:00:00 GMT",
    ])
    func refuses(_ text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }
}
