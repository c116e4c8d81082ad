import HostctlTestSupport

/// A program the HTTP/2 tests drive (curl, nghttp, h2load, python3, h2spec), found on PATH
/// and run through `ExternalTool` (the supervisor's spawning, bounded in time).
struct ClientTool: Sendable {
    let name: String
    let path: String

    struct Result: Sendable {
        let status: Int32
        let output: String
        let errors: String
        var succeeded: Bool { status == 0 }
    }

    static func find(_ name: String) -> ClientTool? {
        ExternalTool.find(name).map { ClientTool(name: name, path: $0) }
    }

    /// The tool, or a failure that names what installs it.
    static func require(_ name: String, installedBy package: String) throws -> ClientTool {
        guard let tool = find(name) else { throw TestFailure("\(name) is not installed (the \(package) package; .ci/run installs it)") }
        return tool
    }

    /// Runs it with `arguments` off Swift's cooperative pool (a tool runs for seconds, and the
    /// pool's few threads serve every other test meanwhile); past `seconds` it is killed and
    /// the run fails.
    func run(_ arguments: [String], input: String? = nil, seconds: Double = 30) async throws -> Result {
        let path = self.path
        return try await offThePool { try Self.runBlocking(path: path, arguments, input: input, seconds: seconds) }
    }

    private static func runBlocking(path: String, _ arguments: [String], input: String?, seconds: Double) throws -> Result {
        let result = try ExternalTool.runBlocking(path: path, arguments, input: input ?? "", timeout: seconds)
        return Result(status: result.status, output: result.stdout, errors: result.stderr)
    }

    /// Python 3 with the h2 package, when both are here.
    static let pythonWithH2: ClientTool? = {
        guard let python = find("python3"), (try? runBlocking(path: python.path, ["-c", "import h2, hpack"], input: nil, seconds: 20))?.succeeded == true else { return nil }
        return python
    }()
}
