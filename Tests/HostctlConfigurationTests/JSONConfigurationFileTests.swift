import HostctlConfiguration
import HostctlSystem
import HostctlTestSupport
import Testing

/// appsettings.json as .NET reads it: comments and trailing commas, arrays as numbered
/// sections, and every kind of bad file reported with its file, line and column.
@Suite struct JSONConfigurationFileTests {
    @Test func flattensDocumentsAsDotNetDoes() throws {
        let entries = try JSONConfigurationFile.entries(of: Array(#"""
            {
              // a comment
              "Logging": { "LogLevel": { "Default": "Information", }, },  /* trailing commas */
              "Ports": [80, 443],
              "On": true, "Off": false, "Ratio": 1.5e2, "Nothing": null, "Empty": [], "Blank": {}
            }
            """#.utf8), path: "/x/appsettings.json")
        #expect(entries.map { "\($0.key)=\($0.value ?? "nil")" } == [
            "Logging:LogLevel:Default=Information", "Ports:0=80", "Ports:1=443", "On=true", "Off=false", "Ratio=1.5e2", "Nothing=nil",
            "Empty=nil", "Blank=nil",
        ])
        #expect(entries[0].origin == .file(path: "/x/appsettings.json", position: .init(line: 3, column: 30)))
        #expect(try JSONConfigurationFile.entries(of: Array(" \n\t".utf8), path: "/x/a.json").isEmpty, "an empty file is an empty configuration")
    }

    @Test(arguments: [
        (#"{"A": 1,, }"#, "/x/appsettings.json:1:9: Unexpected character ','; expected a property name in double quotes."),
        ("{\n  \"A\": {\n", "/x/appsettings.json:3:1: Unexpected end of the document; expected a property name in double quotes."),
        (#"[1, 2]"#, "/x/appsettings.json:1:1: The top level of a configuration file must be an object, not an array."),
        ("{\"Shop\": {\"Name\": 1,\n \"name\": 2}}", "/x/appsettings.json:2:2: The key 'Shop:name' is given twice (keys are compared without regard to case)."),
    ])
    func aMalformedFileSaysWhereAndWhy(_ text: String, _ message: String) {
        #expect(throws: ConfigurationError(message)) { try JSONConfigurationFile.entries(of: Array(text.utf8), path: "/x/appsettings.json") }
    }

    @Test func missingAndUnreadableFiles() throws {
        let folder = try TemporaryFolder("json-file")
        #expect(try JSONConfigurationFile(path: folder.file("appsettings.json")).load().isEmpty, "optional: missing is empty")
        #expect(throws: ConfigurationError("The configuration file '\(folder.file("required.json"))' was not found and is not optional.")) {
            try JSONConfigurationFile(path: folder.file("required.json"), optional: false).load()
        }
        // A folder where the file should be cannot be read, even by root (chmod would not stop it).
        try FileSystem.makeDirectory(folder.file("appsettings.Production.json"))
        #expect(throws: ConfigurationError("The configuration file '\(folder.file("appsettings.Production.json"))' could not be read: Is a directory.")) {
            try JSONConfigurationFile(path: folder.file("appsettings.Production.json")).load()
        }
        let configuration = Configuration([
            JSONConfigurationFile(path: try folder.write("appsettings.json", #"{"A": "1"}"#)),
            JSONConfigurationFile(path: try folder.write("broken.json", "{\"B\": }")),
        ])
        #expect(configuration["A"] == "1", "the sources that load still count")
        #expect(configuration.loadErrors.map(\.message) == ["\(folder.file("broken.json")):1:7: Unexpected character '}'; expected a value."])
    }
}
