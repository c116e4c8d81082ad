import Foundation
import HostctlTestSupport

/// A program the HTTP/2 tests drive (curl, nghttp, h2load, python3, h2spec): found on PATH,
/// run with a time limit, its output captured through files (no pipe can fill and stall it).
struct ExternalTool: Sendable {
    let name: String
    let path: String

    struct Result: Sendable {
        let status: Int32
        let output: String
        let errors: String
        var succeeded: Bool { status == 0 }
    }

    static func find(_ name: String) -> ExternalTool? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        for directory in directories {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return ExternalTool(name: name, path: candidate) }
        }
        return nil
    }

    /// The tool, or a failure that names what installs it.
    static func require(_ name: String, installedBy package: String) throws -> ExternalTool {
        guard let tool = find(name) else { throw TestFailure("\(name) is not installed (the \(package) package; .ci/run installs it)") }
        return tool
    }

    /// Runs it with `arguments`; past `seconds` it is killed and the run fails.
    func run(_ arguments: [String], input: String? = nil, seconds: Double = 30) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
        let tag = UUID().uuidString.prefix(8)
        let outputURL = directory.appendingPathComponent("hostctl-\(name)-\(tag).out")
        let errorsURL = directory.appendingPathComponent("hostctl-\(name)-\(tag).err")
        guard FileManager.default.createFile(atPath: outputURL.path, contents: nil),
              FileManager.default.createFile(atPath: errorsURL.path, contents: nil)
        else { throw TestFailure("cannot create files for \(name)'s output in \(directory.path)") }
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorsURL)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorsURL)
        let inputPipe = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : inputPipe
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(Data(input.utf8))
            try? inputPipe.fileHandleForWriting.close()
        }
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(5000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw TestFailure("\(name) \(arguments.joined(separator: " ")) did not finish within \(seconds) s")
        }
        process.waitUntilExit()
        let output = String(decoding: (try? Data(contentsOf: outputURL)) ?? Data(), as: UTF8.self)
        let errors = String(decoding: (try? Data(contentsOf: errorsURL)) ?? Data(), as: UTF8.self)
        return Result(status: process.terminationStatus, output: output, errors: errors)
    }

    /// Python 3 with the h2 package, when both are here.
    static let pythonWithH2: ExternalTool? = {
        guard let python = find("python3"), (try? python.run(["-c", "import h2, hpack"], seconds: 20))?.succeeded == true else { return nil }
        return python
    }()
}
