import Glibc
import HostctlConfiguration
import HostctlSystem
import HostctlTestSupport
import Testing

/// Settings files reloaded when they change: each test waits on the change callback (or
/// the reload-error callback), never on a sleep.
@Suite struct ConfigurationReloadTests {
    @Test(arguments: [false, true])
    func aSavedFileIsReloadedAndTheCallbackRuns(polling: Bool) throws {
        let folder = try TemporaryFolder("reload")
        let path = try folder.write("appsettings.json", #"{"Feature": {"On": false}}"#)
        let configuration = Configuration([JSONConfigurationFile(path: path), CommandLineConfiguration([])])
        let changed = TestSignal()
        configuration.onChange { _ in changed.fire() }
        let mechanism = configuration.startWatching(forcePolling: polling, pollingInterval: .milliseconds(50))
        #expect(mechanism == (polling ? .polling(interval: .milliseconds(50)) : .inotify))
        defer { configuration.stopWatching() }

        try folder.write("appsettings.json", #"{"Feature": {"On": true}}"#)
        #expect(changed.wait(forCount: 1), "the change callback ran")
        #expect(configuration["Feature:On"] == "true")

        // An editor's save: a new file renamed over the old one.
        try folder.write("appsettings.json.swp", #"{"Feature": {"On": "renamed"}}"#)
        #expect(rename(folder.file("appsettings.json.swp"), path) == 0)
        #expect(changed.wait(forCount: 2))
        #expect(configuration["Feature:On"] == "renamed")
    }

    @Test func aFileSavedHalfEditedKeepsTheLastGoodValuesAndSaysWhy() throws {
        let folder = try TemporaryFolder("reload-bad")
        let path = try folder.write("appsettings.json", #"{"A": "1"}"#)
        let configuration = Configuration([JSONConfigurationFile(path: path)])
        let failed = TestSignal(), changed = TestSignal()
        let errors = ErrorList()
        configuration.onReloadError { error in
            errors.append(error)
            failed.fire()
        }
        configuration.onChange { _ in changed.fire() }
        configuration.startWatching()
        defer { configuration.stopWatching() }

        try folder.write("appsettings.json", "{\"A\": \"2\",\n  \"B\": }")
        #expect(failed.wait(forCount: 1))
        #expect(configuration["A"] == "1", "the previous values stay")
        #expect(errors.all.map(\.message) == ["\(path):2:8: Unexpected character '}'; expected a value."])
        #expect(configuration.loadErrors.count == 1)

        try folder.write("appsettings.json", #"{"A": "3"}"#)
        #expect(changed.wait(forCount: 1))
        #expect(configuration["A"] == "3" && configuration.loadErrors.isEmpty)
        #expect(failed.fired == 1)
    }

    @Test func aFileThatAppearsLaterIsRead() throws {
        let folder = try TemporaryFolder("reload-new")
        let configuration = Configuration([JSONConfigurationFile(path: folder.file("appsettings.Development.json"))])
        let changed = TestSignal()
        configuration.onChange { _ in changed.fire() }
        configuration.startWatching()
        defer { configuration.stopWatching() }
        try folder.write("appsettings.Development.json", #"{"New": "yes"}"#)
        #expect(changed.wait(forCount: 1))
        #expect(configuration["New"] == "yes")
    }

    @Test func aCancelledCallbackDoesNotRun() throws {
        let folder = try TemporaryFolder("reload-cancel")
        let path = try folder.write("appsettings.json", #"{"A": "1"}"#)
        let configuration = Configuration([JSONConfigurationFile(path: path)])
        let cancelled = TestSignal(), kept = TestSignal()
        configuration.onChange { _ in cancelled.fire() }.cancel()
        configuration.onChange { _ in kept.fire() }
        configuration.startWatching()
        defer { configuration.stopWatching() }
        try folder.write("appsettings.json", #"{"A": "2"}"#)
        #expect(kept.wait(forCount: 1))
        #expect(cancelled.fired == 0)
    }

    /// Appended to on the watcher's thread before it fires a signal, read after waiting
    /// on that signal (whose mutex orders the two).
    final class ErrorList: @unchecked Sendable {
        private var errors: [ConfigurationError] = []
        func append(_ error: ConfigurationError) { errors.append(error) }
        var all: [ConfigurationError] { errors }
    }
}
