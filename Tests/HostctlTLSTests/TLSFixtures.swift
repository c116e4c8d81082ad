import Glibc
import HostctlSystem
@testable import HostctlTLS

/// Certificates and contexts the TLS tests share (making a key costs a little; reuse them).
enum TLSFixtures {
    static let localhost = try! DevelopmentCertificate.make()

    /// A self-signed certificate for `name` (and its SAN).
    static func certificate(for name: String, startDays: Int = 0, validityDays: Int = 30) -> TLSCertificate {
        try! DevelopmentCertificate.selfSigned(
            commonName: name, alternativeNames: "DNS:\(name)", startDays: startDays, validityDays: validityDays, marked: false
        )
    }

    static func context(_ configuration: TLSServerConfiguration = .init(), certificate: TLSCertificate = localhost) -> TLSServerContext {
        try! TLSServerContext(configuration: configuration, certificates: TLSCertificateStore(certificate: certificate))
    }

    static let defaultContext = context()

    static func protocols(_ names: String...) -> TLSApplicationProtocols { try! TLSApplicationProtocols(names) }
}

/// A fresh directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/hostctl-tls-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    func file(_ name: String) -> String { FilePath.join(path, name) }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let target = file(name)
        try! FileSystem.writeFileAtomically(target, bytes)
        return target
    }

    func remove() {
        for name in (try? FileSystem.contentsOfDirectory(path)) ?? [] { FileSystem.removeFile(file(name)) }
        FileSystem.removeDirectory(path)
    }
}
