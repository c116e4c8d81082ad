import HostctlConfiguration
import HostctlSystem
import Testing

/// Sections bound to Decodable types, and the messages when a value does not bind.
@Suite struct ConfigurationBindingTests {
    struct ShopOptions: Decodable, Equatable {
        enum Mode: String, Decodable { case fast, careful }
        var name: String
        var maxItems: Int
        var open: Bool
        var ratio: Double
        var mode: Mode
        var tags: [String]
        var prices: [String: Int]
        var timeout: Duration
        var owner: Owner?
        var discount: Int?
        var note: String?

        struct Owner: Decodable, Equatable {
            var name: String
            var email: String?
        }
    }

    static func configuration(_ json: String, arguments: [String] = []) throws -> Configuration {
        final class File: ConfigurationProvider {
            let entries: [ConfigurationEntry]
            let description = "file"
            init(_ entries: [ConfigurationEntry]) { self.entries = entries }
            func load() throws(ConfigurationError) -> [ConfigurationEntry] { entries }
        }
        return Configuration([
            File(try JSONConfigurationFile.entries(of: Array(json.utf8), path: "/srv/shop/appsettings.json")),
            CommandLineConfiguration(arguments),
        ])
    }

    static let shop = #"""
        {
          "Shop": {
            "Name": "Corner",
            "MAXITEMS": "10",
            "Open": "True",
            "Ratio": 0.25,
            "Mode": "careful",
            "Tags": ["a", "b"],
            "Prices": {"apple": 3, "pear": 4},
            "Timeout": "00:02:10",
            "Owner": {"Name": "Ada"},
            "Discount": "",
            "Note": ""
          }
        }
        """#

    @Test func bindsNestedTypesListsDictionariesAndDurations() throws {
        let options = try Self.configuration(Self.shop).section("Shop").decode(ShopOptions.self)
        #expect(options == ShopOptions(
            name: "Corner", maxItems: 10, open: true, ratio: 0.25, mode: .careful, tags: ["a", "b"], prices: ["apple": 3, "pear": 4],
            timeout: .seconds(130), owner: .init(name: "Ada", email: nil), discount: nil, note: ""
        ))
        let overridden = try Self.configuration(Self.shop, arguments: ["--Shop:Tags:2=c", "--Shop:MaxItems", "11"]).section("shop").decode(ShopOptions.self)
        #expect(overridden.tags == ["a", "b", "c"] && overridden.maxItems == 11)
        struct Everything: Decodable { var shop: ShopOptions }
        #expect(try Self.configuration(Self.shop).decode(Everything.self).shop.name == "Corner")
    }

    @Test func aValueThatDoesNotConvertNamesTheKeyTheTypeAndTheFile() throws {
        let configuration = try Self.configuration(Self.shop.replacing(#""MAXITEMS": "10""#, with: #""MAXITEMS": "ten""#))
        let error = try #require(throws: ConfigurationBindingError.self) { try configuration.section("Shop").decode(ShopOptions.self) }
        #expect(error.key == "Shop:MAXITEMS")
        #expect(error.reason == .conversionFailed(value: "ten", expectedType: "Int"))
        #expect(error.description == "Failed to convert configuration value 'ten' at 'Shop:MAXITEMS' to type 'Int' (from /srv/shop/appsettings.json:4:5).")

        let fromArgument = try Self.configuration(Self.shop, arguments: ["--Shop:Open=maybe"])
        #expect(throws: ConfigurationBindingError(
            key: "Shop:Open", reason: .conversionFailed(value: "maybe", expectedType: "Bool"), origin: .commandLine("--Shop:Open=maybe")
        )) { try fromArgument.section("Shop").decode(ShopOptions.self) }
    }

    @Test func otherBindingErrors() throws {
        let missing = try Self.configuration(#"{"Shop": {"Name": "x"}}"#)
        #expect(throws: ConfigurationBindingError(key: "Shop:maxItems", reason: .missingValue(expectedType: "Int"), origin: nil)) {
            try missing.section("Shop").decode(ShopOptions.self)
        }
        let value = try Self.configuration(#"{"Shop": "closed"}"#)
        let notASection = try #require(throws: ConfigurationBindingError.self) { try value.section("Shop").decode(ShopOptions.self) }
        #expect(notASection.description == "The configuration value 'closed' at 'Shop' cannot be bound to type 'ShopOptions', which needs a section (from /srv/shop/appsettings.json:1:2).")
        let badEnum = try Self.configuration(Self.shop, arguments: ["--Shop:Mode=reckless"])
        let rejected = try #require(throws: ConfigurationBindingError.self) { try badEnum.section("Shop").decode(ShopOptions.self) }
        #expect(rejected.key == "Shop:Mode" && rejected.origin == .commandLine("--Shop:Mode=reckless"))
        #expect(rejected.description.hasPrefix("The configuration value 'reckless' at 'Shop:Mode' is not valid: "), "\(rejected)")
        let badDuration = try Self.configuration(#"{"T": "2 minutes"}"#)
        #expect(throws: ConfigurationBindingError(
            key: "T", reason: .conversionFailed(value: "2 minutes", expectedType: "Duration ([d.]hh:mm:ss)"),
            origin: .file(path: "/srv/shop/appsettings.json", position: .init(line: 1, column: 2))
        )) { try badDuration.section("T").decode(Duration.self) }
    }

    @Test func aMissingSectionBindsAsEmpty() throws {
        struct Optional: Decodable, Equatable { var a: Int?; var b: [String]? }
        #expect(try Self.configuration("{}").section("Nothing").decode(Optional.self) == Optional(a: nil, b: nil))
    }

    @Test(arguments: [
        ("00:02:10", Duration.seconds(130)), ("1.00:00:00", .seconds(86_400)), ("00:00:05.5", .milliseconds(5500)), ("1", .seconds(86_400)),
        ("-00:00:01", .seconds(-1)), (" 01:30 ", .seconds(5400)), ("00:00:00.0000001", .nanoseconds(100)),
    ])
    func durationsAreDotNetTimeSpans(_ text: String, _ expected: Duration) {
        #expect(ConfigurationDuration.parse(text) == expected)
    }

    @Test(arguments: ["", "abc", "24:00:00", "00:60:00", "00:00:60", "1:2:3:4", "00:00:00.12345678", "99999999:00:00", "1.", "-"])
    func notDurations(_ text: String) {
        #expect(ConfigurationDuration.parse(text) == nil)
    }
}
