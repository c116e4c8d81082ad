import HostctlConfiguration
import HostctlSystem
import HostctlTestSupport
import Testing

/// Sources layered as ASP.NET layers them: later wins, keys match without regard to case,
/// sections and children read across every source.
@Suite struct ConfigurationLayerTests {
    static func json(_ text: String, path: String = "/app/appsettings.json") throws -> [ConfigurationEntry] {
        try JSONConfigurationFile.entries(of: Array(text.utf8), path: path)
    }

    final class Fixed: ConfigurationProvider {
        let entries: [ConfigurationEntry]
        let description = "fixed"
        init(_ entries: [ConfigurationEntry]) { self.entries = entries }
        func load() throws(ConfigurationError) -> [ConfigurationEntry] { entries }
    }

    @Test func laterSourcesWinAndKeysIgnoreCase() throws {
        let configuration = Configuration([
            Fixed(try Self.json(#"{"Shop": {"Name": "Corner", "MaxItems": 10}, "Logging": {"LogLevel": {"Default": "Information"}}}"#)),
            Fixed(try Self.json(#"{"shop": {"maxitems": 20}}"#, path: "/app/appsettings.Development.json")),
            EnvironmentVariablesConfiguration(ProcessEnvironment([("SHOP__MAXITEMS", "30"), ("Logging__LogLevel__Default", "Debug")])),
            CommandLineConfiguration(["--Shop:MaxItems=40"]),
        ])
        #expect(configuration["Shop:MaxItems"] == "40")
        #expect(configuration["SHOP:maxITEMS"] == "40")
        #expect(configuration["Shop:Name"] == "Corner", "a key no later source sets keeps its value")
        #expect(configuration["Logging:LogLevel:Default"] == "Debug")
        #expect(configuration["Nowhere"] == nil)
        let history = configuration.values(of: "shop:maxitems")
        #expect(history.map(\.value) == ["10", "20", "30", "40"])
        #expect(history.map(\.origin.description) == [
            "/app/appsettings.json:1:29", "/app/appsettings.Development.json:1:11", "environment variable SHOP__MAXITEMS",
            "command-line argument '--Shop:MaxItems=40'",
        ])
        #expect(configuration.loadErrors.isEmpty)
    }

    @Test func sectionsAndChildren() throws {
        let configuration = Configuration([Fixed(try Self.json(#"""
            {"Shop": {"Items": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"], "Empty": {}, "Nothing": null, "Zebra": 1, "apple": 2},
             "ConnectionStrings": {"Default": "Host=db;Database=shop"}}
            """#))])
        let shop = configuration.section("Shop")
        #expect(shop.exists && shop.key == "Shop" && shop.path == "Shop" && shop.value == nil)
        #expect(shop.children.map(\.key) == ["apple", "Empty", "Items", "Nothing", "Zebra"], "names without regard to case")
        #expect(shop.section("Items").children.map(\.key) == (0...10).map(String.init), "numbers in numeric order: 10 after 9")
        #expect(shop.section("Items").children.map { $0.value ?? "" }.joined() == "abcdefghijk")
        #expect(shop["Items:10"] == "k")
        #expect(shop.section("Empty").exists && shop.section("Empty").children.isEmpty, "{} is an empty section that exists")
        #expect(shop.section("Nothing").exists && shop.section("Nothing").value == nil)
        #expect(!shop.section("Missing").exists)
        #expect(configuration.connectionString("Default") == "Host=db;Database=shop")
        #expect(configuration.connectionString("Other") == nil)
        #expect(configuration.children.map(\.key) == ["ConnectionStrings", "Shop"])
    }

    @Test func settingAValueInCodeBeatsEverySource() throws {
        let configuration = Configuration([CommandLineConfiguration(["--Feature:On=false"])])
        configuration["feature:on"] = "true"
        #expect(configuration["Feature:On"] == "true")
        #expect(configuration.values(of: "Feature:On").last?.origin == .code("set in code"))
        configuration.add(CommandLineConfiguration(["--Feature:On=again"]))
        #expect(configuration["Feature:On"] == "true", "still above a source added later")
    }

    @Test func environmentVariables() throws {
        let environment = ProcessEnvironment([
            ("HOSTCTL_URLS", "http://a:1"), ("hostctl_environment", "Staging"), ("ASPNETCORE_Kestrel__Limits__MaxRequestLineSize", "100"),
            ("SQLCONNSTR_Main", "Server=x"), ("CUSTOMCONNSTR_Cache", "redis"), ("PLAIN", "yes"), ("HOSTCTL_", "nothing"),
        ])
        let prefixed = try EnvironmentVariablesConfiguration(environment, prefix: "HOSTCTL_").load()
        #expect(prefixed.map(\.key) == ["URLS", "environment"], "the prefix matches in any case and an empty key is skipped")
        let aspnet = try EnvironmentVariablesConfiguration(environment, prefix: "ASPNETCORE_").load()
        #expect(aspnet.map(\.key) == ["Kestrel:Limits:MaxRequestLineSize"])
        let plain = Configuration([EnvironmentVariablesConfiguration(environment)])
        #expect(plain["ConnectionStrings:Main"] == "Server=x")
        #expect(plain.connectionString("Cache") == "redis")
        #expect(plain["PLAIN"] == "yes" && plain["HOSTCTL_URLS"] == "http://a:1")
    }

    @Test func commandLineForms() throws {
        let entries = try CommandLineConfiguration([
            "--Key=value", "--Section:Key", "two words", "Plain=yes", "--Empty=", "-v", "/path/looks/like/a/key", "stray",
            "--Trailing",
        ]).load()
        #expect(entries.map { "\($0.key)=\($0.value ?? "nil")" } == ["Key=value", "Section:Key=two words", "Plain=yes", "Empty="])
        #expect(entries[1].origin == .commandLine("--Section:Key two words"))
        let repeated = Configuration([CommandLineConfiguration(["--urls", "http://a", "--urls=http://b"])])
        #expect(repeated["urls"] == "http://b", "the last one wins")
    }

    @Test func memorySourcesForDefaults() throws {
        let defaults = MemoryConfiguration(["Shop:MaxItems": "5", "Shop:Name": nil])
        let configuration = Configuration([defaults, CommandLineConfiguration(["--Shop:MaxItems=6"])])
        #expect(configuration["Shop:MaxItems"] == "6")
        #expect(configuration.section("Shop:Name").exists && configuration["Shop:Name"] == nil)
        defaults.set("Shop:Name", "Corner")
        configuration.reload()
        #expect(configuration["Shop:Name"] == "Corner")
    }
}
