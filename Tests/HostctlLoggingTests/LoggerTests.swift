import HostctlConfiguration
@testable import HostctlLogging
import HostctlSystem
import Testing

/// Loggers, filter rules and their reload, scopes.
@Suite struct LoggerTests {
    @Test func theRuleWithTheLongestMatchingPrefixWinsAndTheLastAmongEquals() {
        let rules = [
            LogFilterRule(level: .information),
            LogFilterRule(category: "Microsoft", level: .warning),
            LogFilterRule(category: "Microsoft.AspNetCore.HttpLogging", level: .information),
            LogFilterRule(category: "microsoft.hosting", level: .error),
            LogFilterRule(category: "Microsoft.Hosting", level: .debug),
            LogFilterRule(category: "Shop.*.Orders", level: .trace),
            LogFilterRule(sink: "Console", category: "Noisy", level: .none),
        ]
        func level(_ category: String, sink: String = "Memory") -> LogLevel {
            LogFilterRule.level(for: category, sink: sink, rules: rules, fallback: .critical)
        }
        #expect(level("App") == .information)
        #expect(level("Microsoft.AspNetCore.Server.Kestrel") == .warning)
        #expect(level("Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware") == .information)
        #expect(level("Microsoft.Hosting.Lifetime") == .debug, "case-insensitive, and the later of two equal rules")
        #expect(level("MicrosoftFoo") == .warning, "plain prefixes, as .NET matches them")
        #expect(level("Shop.Web.Orders") == .trace, "one wildcard")
        #expect(level("Shop.Web.Carts") == .information)
        #expect(level("Noisy") == .information && level("Noisy", sink: "console") == .none, "a sink's own rules win for it")
        #expect(LogFilterRule.level(for: "Any", sink: "Memory", rules: [], fallback: .warning) == .warning)
    }

    @Test func aFilteredOutEntryIsNeverBuiltAndReloadedRulesApplyAtOnce() {
        let sink = MemoryLogSink()
        let factory = LoggerFactory(sinks: [sink], rules: [LogFilterRule(category: "Shop", level: .warning)])
        let logger = factory.logger(category: "Shop.Orders")
        final class Counter: @unchecked Sendable { var built = 0 }
        let counter = Counter()
        func message() -> String {
            counter.built += 1
            return "placed"
        }
        logger.information(message())
        #expect(counter.built == 0 && sink.entries.isEmpty && !logger.isEnabled(.information))
        logger.warning(message())
        #expect(counter.built == 1 && sink.entries.map(\.message) == ["placed"])

        factory.update(rules: [LogFilterRule(category: "Shop", level: .debug)], minimumLevel: .information)
        #expect(logger.isEnabled(.debug) && !logger.isEnabled(.trace), "a logger made before the update follows it")
        logger.log(.debug, "debugged", event: EventID(7, name: "Placed"), error: TestError("why"), properties: [("Id", "42")])
        let entry = sink.entries[1]
        #expect(entry.level == .debug && entry.category == "Shop.Orders" && entry.eventID.id == 7)
        #expect(entry.error == "HostctlLoggingTests.LoggerTests.TestError: why")
        #expect(entry.properties.map { "\($0.name)=\($0.value)" } == ["Id=42"])
        #expect(entry.timestamp > 1_600_000_000_000_000_000)
        logger.log(.none, "never")
        #expect(sink.entries.count == 2, "None is a filter, not a level to log at")
    }

    @Test func eachSinkHasItsOwnLevels() {
        let console = MemoryLogSink(name: "Console"), file = MemoryLogSink(name: "File")
        let factory = LoggerFactory(sinks: [console, file], rules: [LogFilterRule(sink: "File", level: .debug)])
        let logger = factory.logger(category: "App")
        logger.debug("detail")
        logger.information("news")
        #expect(console.entries.map(\.message) == ["news"])
        #expect(file.entries.map(\.message) == ["detail", "news"])
    }

    @Test func scopesFollowTheTask() async {
        let sink = MemoryLogSink(includesScopes: true)
        let logger = LoggerFactory(sinks: [sink]).logger(category: "App")
        await LogScope.with("Order 42") {
            await LogScope.with("Payment") { logger.information("charged") }
            logger.information("placed")
        }
        logger.information("outside")
        #expect(sink.entries.map(\.scopes) == [["Order 42", "Payment"], ["Order 42"], []])
    }

    @Test func levelsByName() {
        #expect(LogLevel(name: "information") == .information && LogLevel(name: "NONE") == LogLevel.none)
        #expect(LogLevel(name: "Verbose") == nil && LogLevel(name: "Info") == nil, "only .NET's names")
        #expect(LogLevel.allCases.map(\.shortName) == ["trce", "dbug", "info", "warn", "fail", "crit", "none"])
    }

    struct TestError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

/// The `Logging` section read as .NET reads it.
@Suite struct LoggingConfigurationTests {
    static func logging(_ arguments: [String]) -> ConfigurationSection {
        Configuration([CommandLineConfiguration(arguments)]).section("Logging")
    }

    @Test func rulesForEverySinkAndForOne() throws {
        let rules = try LoggingConfiguration.rules(from: Self.logging([
            "--Logging:LogLevel:Default=Warning", "--Logging:LogLevel:Shop=debug", "--Logging:Console:LogLevel:Default=Error",
            "--Logging:Console:FormatterName=json",
        ]))
        #expect(rules == [
            LogFilterRule(level: .warning), LogFilterRule(category: "Shop", level: .debug), LogFilterRule(sink: "Console", level: .error),
        ])
    }

    @Test func aLevelThatDoesNotExistIsAnErrorNamingTheKeyAndWhereItCameFrom() {
        let error = #expect(throws: ConfigurationBindingError.self) {
            try LoggingConfiguration.rules(from: Self.logging(["--Logging:LogLevel:Microsoft=Verbose"]))
        }
        #expect(error?.description == "The configuration value 'Verbose' at 'Logging:LogLevel:Microsoft' is not valid: not a log level (Trace, Debug, Information, Warning, Error, Critical or None) (from command-line argument '--Logging:LogLevel:Microsoft=Verbose').")
    }

    @Test func consoleOptions() throws {
        let options = try LoggingConfiguration.consoleOptions(from: Self.logging([
            "--Logging:Console:FormatterName=Systemd", "--Logging:Console:FormatterOptions:SingleLine=true",
            "--Logging:Console:FormatterOptions:IncludeScopes=TRUE", "--Logging:Console:FormatterOptions:TimestampFormat=HH:mm:ss ",
            "--Logging:Console:FormatterOptions:UseUtcTimestamp=true", "--Logging:Console:FormatterOptions:ColorBehavior=Disabled",
            "--Logging:Console:LogToStandardErrorThreshold=Warning", "--Logging:Console:MaxQueueLength=10",
        ]))
        var expected = ConsoleLogOptions()
        expected.format = .systemd
        expected.singleLine = true
        expected.includesScopes = true
        expected.timestampFormat = "HH:mm:ss "
        expected.usesUTCTimestamp = true
        expected.colorBehavior = .disabled
        expected.standardErrorThreshold = .warning
        expected.maxQueueLength = 10
        #expect(options == expected)
        #expect(try LoggingConfiguration.consoleOptions(from: Self.logging([])) == ConsoleLogOptions())
        for (argument, message) in [
            ("--Logging:Console:FormatterName=xml", "The configuration value 'xml' at 'Logging:Console:FormatterName' is not valid: not a console format (simple, json or systemd)."),
            ("--Logging:Console:MaxQueueLength=0", "The configuration value '0' at 'Logging:Console:MaxQueueLength' is not valid: must be greater than 0."),
            ("--Logging:Console:MaxQueueLength=lots", "Failed to convert configuration value 'lots' at 'Logging:Console:MaxQueueLength' to type 'Int'."),
        ] {
            let error = #expect(throws: ConfigurationBindingError.self) { try LoggingConfiguration.consoleOptions(from: Self.logging([argument])) }
            #expect(error?.message == message)
        }
    }
}
