@testable import HostctlLogging
import Testing

/// The console formats, byte for byte.
@Suite struct ConsoleFormatTests {
    static let entry = LogEntry(
        level: .information, category: "Microsoft.Hosting.Lifetime", eventID: 14, message: "Now listening on: http://localhost:5000",
        timestamp: 1_700_000_000_123_456_789
    )

    static func render(_ formatter: some LogFormatter, _ entry: LogEntry = entry, colors: Bool = false) -> String {
        var bytes: [UInt8] = []
        formatter.format(entry, colors: colors, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func simpleAsAspNetCoreWritesIt() {
        let simple = SimpleLogFormatter(singleLine: false, timestamp: nil)
        #expect(Self.render(simple) == "info: Microsoft.Hosting.Lifetime[14]\n      Now listening on: http://localhost:5000\n")
        var failure = LogEntry(level: .error, category: "Microsoft.AspNetCore.Server.Kestrel", eventID: 13, message: "Line one\nline two\r\nthree")
        failure.error = "Shop.PaymentError: declined\nat checkout"
        failure.scopes = ["ConnectionId:0HN1", "RequestPath:/pay RequestId:0HN1:00000001"]
        #expect(Self.render(simple, failure) == """
            fail: Microsoft.AspNetCore.Server.Kestrel[13]
                  => ConnectionId:0HN1 => RequestPath:/pay RequestId:0HN1:00000001
                  Line one
                  line two
                  three
                  Shop.PaymentError: declined
                  at checkout

            """)
        let oneLine = SimpleLogFormatter(singleLine: true, timestamp: nil)
        #expect(Self.render(oneLine, failure) == "fail: Microsoft.AspNetCore.Server.Kestrel[13] => ConnectionId:0HN1 => RequestPath:/pay RequestId:0HN1:00000001 Line one line two three Shop.PaymentError: declined at checkout\n")
    }

    @Test func colourOnlyWhenAskedFor() {
        let simple = SimpleLogFormatter(singleLine: false, timestamp: nil)
        #expect(Self.render(simple, colors: true) == "\u{1B}[32minfo\u{1B}[39m\u{1B}[22m: Microsoft.Hosting.Lifetime[14]\n      Now listening on: http://localhost:5000\n")
        var warning = Self.entry
        warning.level = .critical
        #expect(Self.render(simple, warning, colors: true).hasPrefix("\u{1B}[1m\u{1B}[37m\u{1B}[41mcrit\u{1B}[39m\u{1B}[22m\u{1B}[49m: "))
    }

    @Test func controlCharactersAreShownNotObeyed() {
        var entry = Self.entry
        entry.message = "GET /\u{1B}[2Jpwned\u{07} 404"
        #expect(Self.render(SimpleLogFormatter(singleLine: false, timestamp: nil), entry).contains("GET /^[[2Jpwned^G 404"))
    }

    /// The line-break scan looks at eight bytes at a time: every control byte, at every
    /// offset in a word and across word boundaries, is still found and replaced.
    @Test(arguments: 0..<17) func controlBytesAreFoundAtEveryOffset(offset: Int) {
        let oneLine = SimpleLogFormatter(singleLine: true, timestamp: nil)
        let padding = String(repeating: "a", count: offset)
        for (raw, shown) in [("\n", " "), ("\r\n", " "), ("\r", " "), ("\u{7F}", "^?"), ("\u{1B}", "^["), ("\u{00}", "^@"), ("\u{1F}", "^_"), ("\t", "\t"), ("é", "é")] {
            var entry = Self.entry
            entry.message = padding + raw + "tail of the message, longer than a word"
            #expect(Self.render(oneLine, entry) == "info: Microsoft.Hosting.Lifetime[14] \(padding)\(shown)tail of the message, longer than a word\n")
        }
    }

    /// The header is built once per change of level, category or event, never stale.
    @Test func headerFollowsEachEntry() {
        let simple = SimpleLogFormatter(singleLine: false, timestamp: nil)
        var other = Self.entry
        other.category = "Shop"
        other.eventID = 7
        #expect(Self.render(simple).hasPrefix("info: Microsoft.Hosting.Lifetime[14]\n"))
        #expect(Self.render(simple, other).hasPrefix("info: Shop[7]\n"))
        other.level = .warning
        #expect(Self.render(simple, other).hasPrefix("warn: Shop[7]\n"))
        #expect(Self.render(simple, other, colors: true).hasPrefix("\u{1B}[1m\u{1B}[33mwarn"))
        #expect(Self.render(simple).hasPrefix("info: Microsoft.Hosting.Lifetime[14]\n"))
    }

    @Test func jsonForCollectors() {
        var entry = Self.entry
        entry.message = "say \"hi\"\n\\ \u{01}"
        entry.properties = [("address", "http://localhost:5000")]
        entry.error = "E: x"
        entry.scopes = ["s1"]
        #expect(Self.render(JSONLogFormatter(timestamp: nil, includesScopes: true), entry) == #"""
            {"EventId":14,"LogLevel":"Information","Category":"Microsoft.Hosting.Lifetime","Message":"say \"hi\"\n\\ \u0001","Exception":"E: x","State":{"Message":"say \"hi\"\n\\ \u0001","address":"http://localhost:5000"},"Scopes":["s1"]}

            """#)
        let stamped = Self.render(JSONLogFormatter(timestamp: LogTimestamp(format: "yyyy-MM-ddTHH:mm:ss.fffZ", utc: true), includesScopes: false))
        #expect(stamped.hasPrefix(#"{"Timestamp":"2023-11-14T22:13:20.123Z","EventId":14,"#), "\(stamped)")
    }

    @Test func systemdForJournald() {
        var entry = Self.entry
        entry.message = "two\nlines"
        #expect(Self.render(SystemdLogFormatter(timestamp: nil), entry) == "<6>Microsoft.Hosting.Lifetime[14] two lines\n")
        entry.level = .warning
        #expect(Self.render(SystemdLogFormatter(timestamp: nil), entry).hasPrefix("<4>"))
    }

    @Test func timestampsInDotNetsFormat() {
        let formatter = SimpleLogFormatter(singleLine: true, timestamp: LogTimestamp(format: "[yyyy-MM-dd HH:mm:ss.ffffff 'UTC' tt] ", utc: true))
        #expect(Self.render(formatter) == "[2023-11-14 22:13:20.123456 UTC PM] info: Microsoft.Hosting.Lifetime[14] Now listening on: http://localhost:5000\n")
    }
}
