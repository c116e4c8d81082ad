import Foundation
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

/// An external client (curl, openssl, python3) run to completion off Swift's pool, bounded in time.
struct ExternalTool {
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
    }

    /// The tool's path, or nil (the test then says it is skipped).
    static func find(_ name: String) -> String? {
        ExecutableSearch.find(name, path: ProcessInfo.processInfo.environment["PATH"])
    }

    static func run(_ name: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:], timeout: Double = 30) async throws -> Result {
        guard let path = find(name) else { throw TestFailure("\(name) is not installed") }
        return try await offThePool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            var variables = ProcessInfo.processInfo.environment
            for (key, value) in environment { variables[key] = value }
            process.environment = variables
            let output = Pipe(), errors = Pipe(), standardInput = Pipe()
            process.standardOutput = output
            process.standardError = errors
            process.standardInput = standardInput
            try process.run()
            if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
            try? standardInput.fileHandleForWriting.close()
            // Read both pipes while it runs (a full pipe would stall it), then wait, bounded.
            let collected = OutputPair()
            let readers = [(output, true), (errors, false)].map { pipe, isOut in
                Thread { let data = pipe.fileHandleForReading.readDataToEndOfFile(); collected.set(data, out: isOut) }
            }
            readers.forEach { $0.start() }
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline { usleep(2000) }
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
                throw TestFailure("\(name) \(arguments.joined(separator: " ")) ran over \(timeout) s")
            }
            process.waitUntilExit()
            guard collected.wait(seconds: 10) else { throw TestFailure("\(name)'s output did not end") }
            return Result(status: process.terminationStatus, stdout: collected.stdout, stderr: collected.stderr)
        }
    }
}

private final class OutputPair: @unchecked Sendable {
    private let lock = NSLock()
    private var out: Data?
    private var err: Data?

    func set(_ data: Data, out isOut: Bool) { lock.withLock { if isOut { out = data } else { err = data } } }
    func wait(seconds: Double) -> Bool { waitUntil(seconds: seconds) { lock.withLock { out != nil && err != nil } } }
    var stdout: String { lock.withLock { String(decoding: out ?? Data(), as: UTF8.self) } }
    var stderr: String { lock.withLock { String(decoding: err ?? Data(), as: UTF8.self) } }
}

/// Skips the test, saying so, where a client it drives is not installed (`.ci/run` installs them).
func requireTool(_ name: String) throws {
    if ExternalTool.find(name) == nil {
        try Test.cancel("\(name) is not installed here, so this test was skipped (.ci/run installs it).")
    }
}
