import Glibc
@testable import HostctlLogging
import HostctlSystem
import Testing

/// The console sink through real pipes: what it writes where, and what it does when nobody
/// reads.
@Suite struct ConsoleLogSinkTests {
    /// A pipe whose read end is non-blocking, read with a time limit on every wait.
    final class Pipe {
        let read: Int32, write: Int32
        private(set) var text = ""

        init() throws {
            (read, write) = try Descriptor.pipe()
            try Descriptor.setNonBlocking(read)
        }

        deinit {
            Descriptor.close(read)
            Descriptor.close(write)
        }

        /// Reads until `done(text)` holds or 10 s pass; returns whether it held.
        @discardableResult
        func read(until done: (String) -> Bool) -> Bool {
            let deadline = MonotonicClock.now() + 10_000_000_000
            var chunk = [UInt8](repeating: 0, count: 65536)
            while !done(text) {
                let left = (deadline - MonotonicClock.now()) / 1_000_000
                guard left > 0 else { return false }
                var entry = pollfd(fd: read, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, Int32(left)) > 0 else { return done(text) }
                let count = chunk.withUnsafeMutableBytes { Glibc.read(read, $0.baseAddress, $0.count) }
                if count > 0 { text += String(decoding: chunk[0..<count], as: UTF8.self) }
            }
            return true
        }
    }

    @Test func errorsGoToStandardErrorAndTheRestToStandardOutputInOrder() throws {
        let out = try Pipe(), err = try Pipe()
        let sink = ConsoleLogSink(options: ConsoleLogOptions(), environment: ProcessEnvironment(), output: out.write, errorOutput: err.write)
        let logger = LoggerFactory(sinks: [sink]).logger(category: "App")
        logger.information("one")
        logger.error("two")
        logger.warning("three")
        sink.flush(timeout: .seconds(10))
        #expect(out.read { $0.contains("three") })
        #expect(out.text == "info: App[0]\n      one\nwarn: App[0]\n      three\n")
        #expect(err.read { $0.contains("two") })
        #expect(err.text == "fail: App[0]\n      two\n")
    }

    /// A message given as bytes (the request log's) is formatted where it is logged, in
    /// every console format exactly as the same message given as a String; interleaved
    /// with entries for the other destination, each output keeps its order.
    @Test(arguments: [ConsoleLogOptions.Format.simple, .json, .systemd])
    func aMessageGivenAsBytesIsWrittenAsTheSameMessageAsAString(format: ConsoleLogOptions.Format) throws {
        let out = try Pipe(), err = try Pipe()
        var options = ConsoleLogOptions()
        options.format = format
        let sink = ConsoleLogSink(options: options, environment: ProcessEnvironment(), output: out.write, errorOutput: err.write)
        let logger = LoggerFactory(sinks: [sink]).logger(category: "App")
        let message = "GET /a\u{1B}b \"q\" HTTP/1.1\n200"
        for index in 0..<3 {
            logger.information(message, event: 1)
            logger.log(.information, event: 1, utf8Capacity: message.utf8.count) { buffer in
                _ = buffer.initialize(from: message.utf8)
                return message.utf8.count
            }
            logger.error("failure \(index)")
        }
        sink.flush(timeout: .seconds(10))
        #expect(err.read { $0.contains("failure 2") })
        let entryMark = format == .simple ? "info: " : "\n"
        #expect(out.read { $0.components(separatedBy: entryMark).count == 7 })
        let lines = format == .simple ? out.text.components(separatedBy: "info: ").dropFirst().map { "info: " + $0 } : out.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(Set(lines).count == 1, "\(lines)")
        #expect(lines.first.map { format == .json ? $0.contains(#""Message":"GET /a\u001bb \"q\" HTTP/1.1\n200""#) : $0.contains("GET /a^[b") } == true)
        let failures = ["failure 0", "failure 1", "failure 2"].map { err.text.firstRange(of: $0)?.lowerBound }
        #expect(failures.allSatisfy { $0 != nil } && failures == failures.sorted { $0! < $1! })
    }

    @Test func noColourOnAPipeUnlessEnabledAndNeverWithNoColor() throws {
        var options = ConsoleLogOptions()
        for (behavior, environment, coloured) in [
            (ConsoleLogOptions.ColorBehavior.default, ProcessEnvironment(), false),
            (.enabled, ProcessEnvironment(), true),
            (.enabled, ProcessEnvironment([("NO_COLOR", "1")]), false),
            (.default, ProcessEnvironment([("NO_COLOR", "")]), false),
        ] {
            options.colorBehavior = behavior
            let out = try Pipe()
            let sink = ConsoleLogSink(options: options, environment: environment, output: out.write, errorOutput: out.write)
            LoggerFactory(sinks: [sink]).logger(category: "App").information("hello")
            #expect(out.read { $0.contains("hello") })
            #expect(out.text.contains("\u{1B}[") == coloured, "\(behavior) \(environment.entries)")
        }
    }

    /// The pipe is never read while the entries are logged: the writer thread blocks on it,
    /// the queue fills, and every further entry is dropped and counted, without the logging
    /// thread ever waiting. Once the pipe is read, what was queued arrives, then the count.
    @Test func aConsoleThatCannotKeepUpCostsEntriesNotTime() throws {
        let out = try Pipe()
        var options = ConsoleLogOptions()
        options.maxQueueLength = 100
        let sink = ConsoleLogSink(options: options, environment: ProcessEnvironment(), output: out.write, errorOutput: out.write)
        let logger = LoggerFactory(sinks: [sink]).logger(category: "Flood")
        let payload = String(repeating: "x", count: 1000)
        let total = 5000  // 5 MB of lines against a 64 KiB pipe
        for index in 0..<total { logger.information("\(index) \(payload)") }
        #expect(sink.droppedCount > 0, "the queue overflowed while the pipe was full")

        // Every entry is written or counted; the counts come as warnings, one per batch
        // that found entries dropped.
        func accounted(_ text: String) -> (written: Int, dropped: Int) {
            let written = text.components(separatedBy: "info: Flood[0]").count - 1
            let dropped = text.components(separatedBy: "warn: Hostctl.Logging[1]\n      ").dropFirst()
                .compactMap { Int($0.split(separator: " ").first ?? "") }.reduce(0, +)
            return (written, dropped)
        }
        #expect(out.read { let counts = accounted($0); return counts.written + counts.dropped == total }, "\(accounted(out.text))")
        #expect(accounted(out.text).dropped == sink.droppedCount)
        #expect(out.text.contains("entries were dropped because the console could not keep up."))
        #expect(out.text.hasPrefix("info: Flood[0]\n      0 xxx"), "the first entries came out first")
    }
}

extension String {
    func components(separatedBy separator: String) -> [String] {
        split(separator: separator, omittingEmptySubsequences: false).map(String.init)
    }
}
