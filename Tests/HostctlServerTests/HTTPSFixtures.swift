import HostctlSupervisor
import HostctlSystem
import HostctlTestSupport
@testable import HostctlTLS
import Testing

/// Certificates the HTTPS tests serve, written as PEM files into a folder of their own.
final class CertificateFiles: @unchecked Sendable {
    let folder: TemporaryFolder
    let certificate: String
    let key: String
    let made: TLSCertificate

    /// `localhost` (SAN localhost, 127.0.0.1, ::1), made once for the whole suite.
    static let localhostCertificate = try! DevelopmentCertificate.make()
    static let otherCertificate = try! DevelopmentCertificate.selfSigned(
        commonName: "other.test", alternativeNames: "DNS:other.test", startDays: 0, validityDays: 30, marked: false
    )

    init(_ certificate: TLSCertificate = CertificateFiles.localhostCertificate, keyPassword: String? = nil) throws {
        folder = try TemporaryFolder("https")
        made = certificate
        self.certificate = try folder.write("cert.pem", certificate.certificatePEM)
        key = try folder.write("key.pem", certificate.privateKeyPEM(password: keyPassword))
    }

    /// The folder's files as Kestrel's `Certificates:Default` on the command line.
    var defaultCertificateArguments: [String] {
        ["--Kestrel:Certificates:Default:Path=\(certificate)", "--Kestrel:Certificates:Default:KeyPath=\(key)"]
    }

    /// Writes `certificate` over these files, each replaced whole (renamed over), as a
    /// deployment replaces them: the key first, then the certificate.
    func replace(with certificate: TLSCertificate) throws {
        try FileSystem.writeFileAtomically(key, certificate.privateKeyPEM(password: nil), mode: 0o600)
        try FileSystem.writeFileAtomically(self.certificate, certificate.certificatePEM)
    }
}

/// An external client (curl, openssl, python3) run to completion off Swift's pool, bounded in
/// time, through the supervisor's own spawning (Foundation's Process and FileHandle trap on
/// an interrupted read, which the suite's many children make likely).
struct ExternalTool {
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// The tool's path, or nil (the test then says it is skipped).
    static func find(_ name: String) -> String? {
        ExecutableSearch.find(name, path: ProcessEnvironment.current()["PATH"])
    }

    static func run(_ name: String, _ arguments: [String], input: String = "", timeout: Double = 30) async throws -> Result {
        guard let path = find(name) else { throw TestFailure("\(name) is not installed") }
        return try await offThePool { try runBlocking(path: path, arguments, input: input, timeout: timeout) }
    }

    /// The same on the calling thread, which waits for the tool.
    static func runBlocking(path: String, _ arguments: [String], input: String = "", timeout: Double = 30) throws -> Result {
        var request = SpawnRequest(executable: path, arguments: arguments, environment: ProcessEnvironment.current())
        request.standardInput = .pipe
        request.standardOutput = .pipe
        request.standardError = .pipe
        let child = try ChildProcess.spawn(request)
        // The input is small (a request): it fits the pipe, and the end of it follows.
        if let stdin = child.takeStandardInput() {
            try? Descriptor.writeAll(stdin, Array(input.utf8))
            Descriptor.close(stdin)
        }
        let output = OutputPair()
        var monitor = ChildMonitor()
        monitor.outputs = [
            .init(descriptor: child.standardOutput!) { output.stdout += $0 },
            .init(descriptor: child.standardError!) { output.stderr += $0 },
        ]
        monitor.deadline = MonotonicClock.now() + Int64(timeout * 1e9)
        let result = monitor.wait(for: child)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        if result.timedOut { throw TestFailure("\(name) \(arguments.joined(separator: " ")) ran over \(timeout) s") }
        return Result(
            status: result.status.shellCode, stdout: String(decoding: output.stdout, as: UTF8.self),
            stderr: String(decoding: output.stderr, as: UTF8.self)
        )
    }
}

private final class OutputPair: @unchecked Sendable {
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
}

/// Skips the test, saying so, where a client it drives is not installed (`.ci/run` installs them).
func requireTool(_ name: String) throws {
    if ExternalTool.find(name) == nil {
        try Test.cancel("\(name) is not installed here, so this test was skipped (.ci/run installs it).")
    }
}
