import Foundation
import HostctlSystem

/// Copies of the fixture packages under Fixtures/, in fresh temporary directories, so
/// tests never build inside the source tree and never share a folder they change.
enum Fixture: String {
    case consoleApps = "ConsoleApps"
    case hello = "Hello"
    case broken = "Broken"
    case fronted = "Fronted"
    case watched = "Watched"

    static let sourceRoot: String = FilePath.join(FilePath.directory(#filePath), "..", "Fixtures")

    /// A fresh, unbuilt copy.
    func freshCopy() throws -> String {
        let destination = try TemporaryDirectory.make(rawValue)
        try copyTree(FilePath.normalize(FilePath.join(Self.sourceRoot, rawValue)), to: destination)
        return destination
    }

    /// A copy of the fixture after one `hostctl build`, made once per test run; the copy
    /// includes the build, so `hostctl run --no-build` works in it straight away.
    /// (Building again in a copy would rebuild from scratch: SwiftPM keys its build on the path.)
    func builtCopy() throws -> String {
        let built = try BuiltFixtures.shared.directory(for: self)
        let destination = try TemporaryDirectory.make(rawValue + "-built")
        try copyTree(built, to: destination)
        return destination
    }

    /// The one built copy itself: only for tests that never write into it.
    func sharedBuild() throws -> String {
        try BuiltFixtures.shared.directory(for: self)
    }
}

enum TemporaryDirectory {
    static func make(_ label: String) throws -> String {
        let path = FilePath.join(NSTemporaryDirectory(), "hostctl-tests", "\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

/// `cp -a`: keeps modification times and symbolic links, which a copied build needs.
func copyTree(_ source: String, to destination: String) throws {
    let result = try Hostctl.runTool("/bin/cp", ["-a", source + "/.", destination])
    guard result.status.isSuccess else { throw FixtureError("cp failed: \(result.stderr)") }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// NSLock rather than Synchronization.Mutex: Mutex waits on a futex directly, which
/// ThreadSanitizer cannot see, so it would report the cache accesses as races.
private final class BuiltFixtures: @unchecked Sendable {
    static let shared = BuiltFixtures()
    private let lock = NSLock()
    private var built: [String: Result<String, FixtureError>] = [:]

    func directory(for fixture: Fixture) throws -> String {
        // Holding the lock while building makes every other test that wants the same
        // fixture wait for the one build instead of starting its own.
        lock.lock()
        defer { lock.unlock() }
        if let done = built[fixture.rawValue] { return try done.get() }
        let result: Result<String, FixtureError>
        do {
            let directory = try fixture.freshCopy()
            let build = try Hostctl.run(["build", "-v", "q"], in: directory, timeout: 600)
            result = build.status.isSuccess ? .success(directory) : .failure(FixtureError("building \(fixture.rawValue) failed:\n\(build)"))
        } catch {
            result = .failure(FixtureError("preparing \(fixture.rawValue) failed: \(error)"))
        }
        built[fixture.rawValue] = result
        return try result.get()
    }
}

/// Writes a file, creating its folder.
func write(_ text: String, to path: String) throws {
    try FileManager.default.createDirectory(atPath: FilePath.directory(path), withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

/// What printargs reported.
struct AppReport {
    let arguments: [String]
    let directory: String?
    let environment: [String: String]
    let signalMask: String?
    let ignoredSignals: String?
    let descriptors: String?

    /// `linePrefix`: the mark the front puts before each line of an app's output behind it.
    init(_ output: String, linePrefix: String = "") {
        var arguments: [String] = []
        var environment: [String: String] = [:]
        var directory: String?
        var mask: String?
        var ignored: String?
        var descriptors: String?
        for line in output.split(separator: "\n").compactMap({ $0.hasPrefix(linePrefix) ? String($0.dropFirst(linePrefix.count)) : nil }) {
            if line.hasPrefix("arg=") { arguments.append(Self.unescape(line.dropFirst(4))) }
            else if line.hasPrefix("cwd=") { directory = String(line.dropFirst(4)) }
            else if line.hasPrefix("env:"), let equals = line.firstIndex(of: "=") {
                environment[String(line[line.index(line.startIndex, offsetBy: 4)..<equals])] = Self.unescape(line[line.index(after: equals)...])
            }
            else if line.hasPrefix("sigblk:") { mask = String(line.dropFirst(7)) }
            else if line.hasPrefix("sigign:") { ignored = String(line.dropFirst(7)) }
            else if line.hasPrefix("fds=") { descriptors = String(line.dropFirst(4)) }
        }
        self.arguments = arguments
        self.directory = directory
        self.environment = environment
        self.signalMask = mask
        self.ignoredSignals = ignored
        self.descriptors = descriptors
    }

    /// Undoes printargs' escaping of backslashes and newlines.
    static func unescape(_ text: Substring) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                result.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
