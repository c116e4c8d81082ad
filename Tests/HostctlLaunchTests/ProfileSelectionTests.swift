@testable import HostctlLaunch
import Testing

@Suite struct ProfileSelectionTests {
    func settings(_ text: String) -> Result<LaunchSettings, LaunchSettingsError> {
        Result { () throws(LaunchSettingsError) in try LaunchSettings.parse(Array(text.utf8), path: "/p/launchSettings.json") }
    }

    func selected(_ selection: ProfileSelection) -> (LaunchProfile, String)? {
        if case .selected(let profile, let name, _) = selection { return (profile, name) }
        return nil
    }

    func failure(_ selection: ProfileSelection) -> String? {
        if case .failed(let failure) = selection { return failure.message }
        return nil
    }

    let document = #"""
    { "profiles": {
        "IIS Express": { "commandName": "IISExpress" },
        "web": { "commandName": "Project", "applicationUrl": "http://localhost:5000" },
        "other": { "commandName": "Project" },
        "exe": { "commandName": "Executable", "executablePath": "/bin/true" },
        "web": { "commandName": "Project", "applicationUrl": "http://localhost:6000" }
    } }
    """#

    @Test func defaultIsTheFirstProjectProfileInFileOrder() throws {
        let (profile, name) = try #require(selected(ProfileSelector.select(requested: nil, settings: settings(document), searchedPaths: [])))
        #expect(name == "web")
        #expect(profile.kind == .project)
        #expect(profile.applicationUrl == "http://localhost:6000", "a name written twice keeps its last value")
    }

    @Test func emptyRequestCountsAsNotGiven() throws {
        #expect(selected(ProfileSelector.select(requested: "", settings: settings(document), searchedPaths: []))?.1 == "web")
    }

    @Test func lookupIgnoresCaseAndKeepsTheTypedName() throws {
        let (profile, name) = try #require(selected(ProfileSelector.select(requested: "OTHER", settings: settings(document), searchedPaths: [])))
        #expect(name == "OTHER")
        #expect(profile.name == "other")
    }

    @Test func failures() {
        #expect(failure(ProfileSelector.select(requested: "x", settings: settings(document), searchedPaths: []))
            == "The launch profile \"x\" could not be applied.\nA launch profile with the name 'x' doesn't exist.\n"
            + "The profiles in /p/launchSettings.json: 'IIS Express', 'web', 'other', 'exe'.")
        #expect(failure(ProfileSelector.select(requested: "OHTER", settings: settings(document), searchedPaths: []))?
            .contains("doesn't exist. Did you mean 'other'?\n") == true)
        #expect(failure(ProfileSelector.select(requested: "x", settings: settings(#"{"profiles": {}}"#), searchedPaths: []))
            == "The launch profile \"x\" could not be applied.\nA launch profile with the name 'x' doesn't exist.\n/p/launchSettings.json has no profiles.")
        #expect(failure(ProfileSelector.select(requested: "x", settings: nil, searchedPaths: ["/a", "/b"]))
            == "Cannot use launch profile 'x' because the launch settings file could not be located. Locations tried:\n  /a\n  /b")
        guard case .none = ProfileSelector.select(requested: nil, settings: nil, searchedPaths: []) else {
            Issue.record("no file and no name must select nothing")
            return
        }
        #expect(failure(ProfileSelector.select(requested: nil, settings: settings(#"{"profiles": {"a": {"commandName": "Executable", "executablePath": "x"}}}"#), searchedPaths: []))
            == "The launch profile \"(Default)\" could not be applied.\nA usable launch profile could not be located.")
        #expect(failure(ProfileSelector.select(requested: "A", settings: settings(#"{"profiles": {"a": {}, "A": {}}}"#), searchedPaths: []))?
            .hasSuffix("\ta\n\tA\nMake the profile names distinct.") == true)
        #expect(failure(ProfileSelector.select(requested: nil, settings: settings("{"), searchedPaths: []))?
            .hasPrefix("/p/launchSettings.json:1:2: The launch settings file is malformed: ") == true)
    }

    @Test func profileConversions() throws {
        let object = #"""
        { "commandName": "Project", "commandLineArgs": null, "launchBrowser": 1, "dotnetRunMessages": "TRUE",
          "environmentVariables": { "A": "1", "B": true, "A": "2" }, "server": "IOURING", "startMode": "Always" }
        """#
        let value = try HostctlJSON.JSONReader().read(Array(object.utf8))
        let profile = try LaunchProfile.read(name: "p", from: value)
        #expect(profile.commandLineArgs == nil)
        #expect(profile.launchBrowser)
        #expect(profile.dotnetRunMessages)
        #expect(profile.environmentVariables.map(\.name) == ["A", "B"])
        #expect(profile.environmentVariables.map(\.value) == ["2", "True"])
        #expect(profile.server == .ioURing)
        #expect(profile.startMode == .always)
    }

    /// `hostingModel` takes `<AspNetCoreHostingModel>`'s values in any case.
    @Test(arguments: [
        ("InProcess", LaunchProfile.HostingModel.inProcess), ("inprocess", .inProcess), ("INPROCESS", .inProcess),
        ("OutOfProcess", .outOfProcess), ("outofprocess", .outOfProcess), ("outOfProcess", .outOfProcess),
    ])
    func hostingModelInAnyCase(_ text: String, _ model: LaunchProfile.HostingModel) throws {
        let value = try HostctlJSON.JSONReader().read(Array(#"{"commandName": "IISExpress", "hostingModel": "\#(text)"}"#.utf8))
        #expect(try LaunchProfile.read(name: "p", from: value).hostingModel == model)
        let proxied = try HostctlJSON.JSONReader().read(Array(#"{"commandName": "Proxied", "hostingModel": "OutOfProcess"}"#.utf8))
        #expect(try LaunchProfile.read(name: "p", from: proxied).hostingModel == .outOfProcess, "what a Proxied profile is anyway")
        let unset = try HostctlJSON.JSONReader().read(Array(#"{"commandName": "IIS", "hostingModel": ""}"#.utf8))
        #expect(try LaunchProfile.read(name: "p", from: unset).hostingModel == nil)
    }

    @Test(arguments: [
        (#"{"commandName": 3}"#, "A usable launch profile could not be located."),
        (#"{"commandName": "Executable"}"#, "The launch profile type 'Executable' requires the property 'executablePath'."),
        (#"{"commandName": "Project", "launchUrl": []}"#, "Could not convert the value of property 'launchUrl' to a string."),
        (#"{"commandName": "Project", "dotnetRunMessages": "maybe"}"#, "Could not convert the value of property 'dotnetRunMessages' to a boolean."),
        (#"{"commandName": "Project", "startMode": "sometimes"}"#, "The value 'sometimes' of property 'startMode' is not valid. Valid values: onDemand, always."),
        (#"{"commandName": "IIS", "hostingModel": "Hybrid"}"#, "The value 'Hybrid' of property 'hostingModel' is not valid. Valid values: InProcess, OutOfProcess."),
        (#"{"commandName": "IISExpress", "hostingModel": 2}"#, "Could not convert the value of property 'hostingModel' to a string."),
        (#"{"commandName": "Proxied", "hostingModel": "inprocess"}"#,
         "A 'Proxied' profile always runs the app out of process, behind the front: 'hostingModel' cannot be 'InProcess' (an 'IIS' or 'IISExpress' profile can)."),
    ])
    func profileProblems(_ object: String, _ reason: String) throws {
        let value = try HostctlJSON.JSONReader().read(Array(object.utf8))
        #expect(throws: ProfileProblem(reason)) { try LaunchProfile.read(name: "p", from: value) }
    }
}

import HostctlJSON
