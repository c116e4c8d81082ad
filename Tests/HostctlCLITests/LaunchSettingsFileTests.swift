import Foundation
import HostctlSystem
import Testing

/// Where launchSettings.json is found and what happens when it is broken. Each test works
/// on its own copy of the built ConsoleApps fixture, so it can write its own file.
@Suite struct LaunchSettingsFileTests {
    static let profile = #"{ "profiles": { "p": { "commandName": "Project", "product": "printargs", "environmentVariables": { "FIXTURE_FROM": "FILE" } } } }"#

    func package(rootSettings: String?, propertiesSettings: String? = nil) throws -> String {
        let package = try Fixture.consoleApps.builtCopy()
        let root = FilePath.join(package, "launchSettings.json")
        try? FileManager.default.removeItem(atPath: root)
        if let rootSettings { try write(rootSettings, to: root) }
        if let propertiesSettings { try write(propertiesSettings, to: FilePath.join(package, "Properties", "launchSettings.json")) }
        return package
    }

    func run(_ package: String, _ arguments: [String] = []) throws -> (RunResult, AppReport) {
        let result = try Hostctl.run(["run", "--no-build", "--product", "printargs"] + arguments, in: package)
        return (result, AppReport(result.stdout))
    }

    @Test func propertiesFolderIsUsedWhenTheRootHasNoFile() throws {
        let package = try package(rootSettings: nil, propertiesSettings: Self.profile.replacing("FILE", with: "properties"))
        let (result, app) = try run(package)
        #expect(result.stdoutLines.first == "Using launch settings from \(package)/Properties/launchSettings.json...")
        #expect(app.environment["FIXTURE_FROM"] == "properties")
    }

    @Test func rootFileWinsOverPropertiesWithAWarning() throws {
        let package = try package(
            rootSettings: Self.profile.replacing("FILE", with: "root"),
            propertiesSettings: Self.profile.replacing("FILE", with: "properties")
        )
        let (result, app) = try run(package)
        #expect(result.exitCode == 0, "\(result)")
        #expect(app.environment["FIXTURE_FROM"] == "root")
        #expect(result.stdout.contains(
            "Warning: Settings from '\(package)/Properties/launchSettings.json' are not used because '\(package)/launchSettings.json' has precedence."
        ), "\(result)")
    }

    @Test func noFileAndNoProfileNamedSaysNothing() throws {
        let package = try package(rootSettings: nil)
        let (result, app) = try run(package, ["x"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.isEmpty)
        #expect(!result.stdout.contains("launch settings"))
        #expect(app.arguments == ["x"])
    }

    @Test func noFileButAProfileNamedListsTheLocationsAndRunsAnyway() throws {
        let package = try package(rootSettings: nil)
        let (result, app) = try run(package, ["-lp", "Dev"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains(
            "Cannot use launch profile 'Dev' because the launch settings file could not be located. Locations tried:\n  \(package)/launchSettings.json\n  \(package)/Properties/launchSettings.json"
        ), "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(result.stdout.contains("argc=0"))
    }

    /// The file and the position come first, in words that say the file is malformed; then
    /// what it means for the run. The file is left as it is.
    @Test func malformedJSONNamesFileLineAndColumnFirstAndIsNeverRewritten() throws {
        let broken = "{\n  \"profiles\": {\n    \"p\": { \"commandName\": \"Project\" }\n    \"q\": {}\n  }\n}\n"
        let package = try package(rootSettings: broken)
        let path = FilePath.join(package, "launchSettings.json")
        let (result, app) = try run(package)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr == "\(path):4:5: The launch settings file is malformed: Unexpected character '\"'; expected ',' or '}'.\nThe app runs without a launch profile.\n", "\(result)")
        #expect(result.stdout.contains("Using launch settings from \(path)..."))
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == broken)

        let (named, _) = try run(package, ["-lp", "p"])
        #expect(named.stderr.hasSuffix(":4:5: The launch settings file is malformed: Unexpected character '\"'; expected ',' or '}'.\nThe launch profile \"p\" could not be applied; the app runs without a profile.\n"), "\(named)")
    }

    /// A mistyped name: reported with the nearest name and the file's profiles, and the app
    /// runs without a profile (on the hosting library's defaults), as `dotnet run` does.
    @Test func anUnknownProfileNameSuggestsTheNearestAndListsTheProfiles() throws {
        let package = try package(rootSettings: #"{ "profiles": { "http": { "commandName": "Project" }, "iouring": { "commandName": "Project" }, "IIS Express": { "commandName": "IISExpress" } } }"#)
        let path = FilePath.join(package, "launchSettings.json")
        let (result, app) = try run(package, ["-lp", "htpp"])
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stderr == """
        The launch profile "htpp" could not be applied.
        A launch profile with the name 'htpp' doesn't exist. Did you mean 'http'?
        The profiles in \(path): 'http', 'iouring', 'IIS Express'.

        """, "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(app.environment["HOSTCTL_URLS"] == nil)

        let (faraway, _) = try run(package, ["-lp", "staging"])
        #expect(!faraway.stderr.contains("Did you mean"), "no suggestion when nothing is near: \(faraway)")
        #expect(faraway.stderr.contains("The profiles in \(path): 'http', 'iouring', 'IIS Express'."), "\(faraway)")
    }

    @Test(arguments: [#"{ "profiles": [] }"#, #"{ "Profiles": "none" }"#, "[1, 2]", #"{ "other": {} }"#])
    func profilesMustBeAnObject(_ document: String) throws {
        let package = try package(rootSettings: document)
        let (result, _) = try run(package, ["-lp", "p"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains(
            "\(package)/launchSettings.json: The 'profiles' property of the launch settings document is not a JSON object.\nThe launch profile \"p\" could not be applied; the app runs without a profile."
        ), "\(result)")
    }

    @Test func namesThatDifferOnlyByCaseAreRejected() throws {
        let package = try package(rootSettings: #"{ "profiles": { "Dev": { "commandName": "Project" }, "dev": { "commandName": "Project" } } }"#)
        let (result, app) = try run(package, ["-lp", "DEV"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains(
            "The launch profile \"DEV\" could not be applied.\nThere are several launch profiles with case-sensitive names, which isn't permitted:\n\tDev\n\tdev\nMake the profile names distinct."
        ), "\(result)")
        #expect(app.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
    }

    @Test func withoutAProjectProfileTheDefaultCannotBeFound() throws {
        let package = try package(rootSettings: #"{ "profiles": { "IIS": { "commandName": "IISExpress" }, "Exe": { "commandName": "Executable", "executablePath": "x" } } }"#)
        let (result, _) = try run(package)
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains("The launch profile \"(Default)\" could not be applied.\nA usable launch profile could not be located."), "\(result)")
    }

    @Test func commentsTrailingCommasAndAByteOrderMarkAreAccepted() throws {
        let document = "\u{FEFF}// leading comment\n{ /* block */ \"profiles\": { \"p\": { \"commandName\": \"Project\", \"environmentVariables\": { \"FIXTURE_FROM\": \"commented\", }, }, }, }"
        let package = try package(rootSettings: document)
        let (result, app) = try run(package)
        #expect(result.stderr.isEmpty, "\(result)")
        #expect(app.environment["FIXTURE_FROM"] == "commented")
    }

    @Test func unreadableFileIsReportedAndTheAppStillRuns() throws {
        let package = try package(rootSettings: nil)
        try FileManager.default.createDirectory(atPath: FilePath.join(package, "launchSettings.json"), withIntermediateDirectories: true)
        let (result, _) = try run(package, ["-lp", "p"])
        #expect(result.exitCode == 0)
        #expect(result.stderr.contains("\(package)/launchSettings.json: The launch settings file cannot be read: Is a directory.\n"), "\(result)")
    }

    @Test func invalidUTF8IsASyntaxError() throws {
        let package = try package(rootSettings: nil)
        let path = FilePath.join(package, "launchSettings.json")
        try Data([0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]).write(to: URL(fileURLWithPath: path))
        let (result, _) = try run(package)
        #expect(result.stderr.contains("\(path):1:3: The launch settings file is malformed: The byte 0xFF is not valid UTF-8."), "\(result)")
    }

    @Test func browserOpensOnceTheAppListens() throws {
        let package = try package(rootSettings: nil)
        let port = try freeLoopbackPort()
        let opened = FilePath.join(package, "opened.txt")
        let browser = FilePath.join(package, "fake-browser.sh")
        try write("#!/bin/sh\necho \"$1\" > \(opened).tmp && mv \(opened).tmp \(opened)\n", to: browser)
        chmod(browser, 0o755)
        try write("""
        { "profiles": { "web": {
            "commandName": "Executable", "executablePath": "python3",
            "commandLineArgs": "-m http.server \(port) --bind 127.0.0.1",
            "applicationUrl": "http://127.0.0.1:\(port)", "launchBrowser": true, "launchUrl": "docs/index.html"
        } } }
        """, to: FilePath.join(package, "launchSettings.json"))
        var environment = Hostctl.baseEnvironment()
        environment["BROWSER"] = "/nonexistent-browser:\(browser) %s"
        let result = try Hostctl.run(["run", "--no-build", "-lp", "web"], in: package, environment: environment, timeout: 60) { _, child in
            if FileSystem.exists(opened) { child.send(SIGTERM) }
        }
        #expect(!result.timedOut, "\(result)")
        #expect(try String(contentsOfFile: opened, encoding: .utf8) == "http://127.0.0.1:\(port)/docs/index.html\n")
    }

    @Test func withoutABrowserTheURLIsPrinted() throws {
        let package = try package(rootSettings: nil)
        let port = try freeLoopbackPort()
        // A PATH with python3 and nothing else: no xdg-open to find.
        let bin = FilePath.join(package, "bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        let launcher = try #require(ExecutableSearch.find("python3", path: ProcessInfo.processInfo.environment["PATH"]))
        // The real interpreter, not a wrapper script (pyenv's shims need bash on PATH).
        let python = try Hostctl.runTool(launcher, ["-c", "import sys; print(sys.executable)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.createSymbolicLink(atPath: FilePath.join(bin, "python3"), withDestinationPath: python)
        try write("""
        { "profiles": { "web": {
            "commandName": "Executable", "executablePath": "python3",
            "commandLineArgs": "-m http.server \(port) --bind 127.0.0.1",
            "applicationUrl": "http://127.0.0.1:\(port)", "launchBrowser": true
        } } }
        """, to: FilePath.join(package, "launchSettings.json"))
        var environment = Hostctl.baseEnvironment()
        environment["PATH"] = bin
        let message = "Open http://127.0.0.1:\(port)/ in a browser"
        let result = try Hostctl.run(["run", "--no-build", "-lp", "web"], in: package, environment: environment, timeout: 60) { stdout, child in
            if stdout.contains(message) { child.send(SIGTERM) }
        }
        #expect(!result.timedOut, "\(result)")
        #expect(result.stdout.contains(message), "\(result)")
    }

    @Test func portZeroLeavesNothingToOpen() throws {
        let package = try package(rootSettings: nil)
        try write("""
        { "profiles": { "web": { "commandName": "Project", "product": "printargs", "applicationUrl": "http://*:0", "launchBrowser": true } } }
        """, to: FilePath.join(package, "launchSettings.json"))
        let result = try Hostctl.run(["run", "--no-build"], in: package)
        #expect(result.exitCode == 0, "\(result)")
        #expect(result.stdout.contains("Not opening a browser"), "\(result)")
    }
}

/// A port nothing listens on right now (bound and released; fine for a test on loopback).
func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw FixtureError("could not bind a port") }
    return UInt16(bigEndian: address.sin_port)
}
