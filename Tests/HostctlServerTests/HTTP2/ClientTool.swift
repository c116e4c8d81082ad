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

    /// Runs it with `arguments` on this thread; past `seconds` it is killed and the run fails.
    func run(_ arguments: [String], input: String? = nil, seconds: Double = 30) throws -> Result {
        let result = try ExternalTool.runBlocking(path: path, arguments, input: input ?? "", timeout: seconds)
        return Result(status: result.status, output: result.stdout, errors: result.stderr)
    }

    /// Python 3 with the h2 package, when both are here.
    static let pythonWithH2: ClientTool? = {
        guard let python = find("python3"), (try? python.run(["-c", "import h2, hpack"], seconds: 20))?.succeeded == true else { return nil }
        return python
    }()
}
