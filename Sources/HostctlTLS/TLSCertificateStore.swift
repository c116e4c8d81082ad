import HostctlSystem
import Synchronization

/// An endpoint's certificates: a default one and any number chosen by server name (SNI),
/// reloaded when their files change.
///
/// Names follow Kestrel's `Sni` section: an exact host ("www.example.org"), a wildcard for one
/// or more labels ("*.example.org"), or "*" for every other name. A handshake without SNI, or
/// with a name nothing matches, gets the default; with no default, unrecognized_name.
///
/// Reloading is a check the server's heartbeat calls (`reloadIfChanged()`, once a second),
/// not inotify: a `stat` per file per second costs nothing, needs no descriptor or thread on
/// the loops, and sees every way certificates get replaced (rewritten in place, renamed over,
/// or a symbolic link switched as Kubernetes does with secrets), which inotify watches on one
/// inode would miss. New handshakes get the new certificate; open connections keep theirs.
public final class TLSCertificateStore: @unchecked Sendable {
    /// One configured certificate and what its files looked like when it was read.
    private struct Entry {
        let pattern: String?  // nil: the default
        let source: TLSCertificateSource
        var fingerprint: [FileStatus?]
    }

    /// What handshakes read: replaced whole on reload.
    private final class Snapshot: Sendable {
        let fallback: TLSCertificate?
        let exact: [String: TLSCertificate]
        /// Suffixes (".example.org") longest first.
        let wildcards: [(suffix: String, certificate: TLSCertificate)]

        init(_ certificates: [(pattern: String?, certificate: TLSCertificate)]) {
            var fallback: TLSCertificate?
            var exact: [String: TLSCertificate] = [:]
            var wildcards: [(String, TLSCertificate)] = []
            for (pattern, certificate) in certificates {
                switch pattern {
                case nil, "*": if fallback == nil || pattern == nil { fallback = certificate }
                case let name? where name.hasPrefix("*."): wildcards.append((String(name.dropFirst()), certificate))
                case let name?: exact[name] = certificate
                }
            }
            self.fallback = fallback
            self.exact = exact
            self.wildcards = wildcards.sorted { $0.0.count > $1.0.count }
        }
    }

    private let development: DevelopmentCertificateLocation?
    private let state: Mutex<(entries: [Entry], certificates: [TLSCertificate], snapshot: Snapshot)>

    /// Loads every certificate now; the first that fails is the error (startup stops on it).
    /// - Parameters:
    ///   - defaultCertificate: for handshakes no server name picks a certificate for.
    ///   - serverNames: Kestrel's `Sni` keys ("example.org", "*.example.org", "*") and their certificates.
    ///   - development: where `.developmentCertificate` lives.
    public init(
        defaultCertificate: TLSCertificateSource?, serverNames: [(String, TLSCertificateSource)] = [],
        development: DevelopmentCertificateLocation? = nil
    ) throws(TLSCertificateError) {
        self.development = development
        var entries: [Entry] = []
        var loaded: [TLSCertificate] = []
        let configured = (defaultCertificate.map { [(String?.none, $0)] } ?? []) + serverNames.map { (Optional($0.0.lowercased()), $0.1) }
        for (pattern, source) in configured {
            // Read the fingerprint first: a change while loading shows up as a change next time.
            let fingerprint = source.files(development: development).map(FileSystem.status)
            loaded.append(try TLSCertificateLoader.load(source, development: development))
            entries.append(Entry(pattern: pattern, source: source, fingerprint: fingerprint))
        }
        let snapshot = Snapshot(zip(entries, loaded).map { ($0.pattern, $1) })
        state = Mutex((entries, loaded, snapshot))
    }

    /// A store serving one certificate made in code (Kestrel's `ServerCertificate` option, and tests).
    public init(certificate: TLSCertificate) {
        development = nil
        state = Mutex(([], [certificate], Snapshot([(nil, certificate)])))
    }

    /// The certificate for a handshake's server name (lowercased), or nil: refuse it.
    public func certificate(forServerName name: String?) -> TLSCertificate? {
        let snapshot = state.withLock { $0.snapshot }
        guard let name else { return snapshot.fallback }
        if let exact = snapshot.exact[name] { return exact }
        for (suffix, certificate) in snapshot.wildcards where name.hasSuffix(suffix) && name.count > suffix.count {
            return certificate
        }
        return snapshot.fallback
    }

    /// What a reload did, for the log.
    public struct ReloadReport: Sendable, Equatable {
        /// The sources whose files changed and loaded well: new handshakes use them.
        public var reloaded: [TLSCertificateSource] = []
        /// Files that changed but do not load: the old certificate stays in service. Each
        /// change is reported once (a file half-written now is retried when it changes again).
        public var failed: [TLSCertificateError] = []
        public var isEmpty: Bool { reloaded.isEmpty && failed.isEmpty }
    }

    /// Reloads the certificates whose files changed since they were read. Call it from one
    /// thread at a time (the heartbeat); handshakes on other threads go on meanwhile.
    public func reloadIfChanged(now: Int64 = TLSCertificateLoader.currentTime()) -> ReloadReport {
        var (entries, certificates) = state.withLock { ($0.entries, $0.certificates) }
        var report = ReloadReport()
        for index in entries.indices {
            let fingerprint = entries[index].source.files(development: development).map(FileSystem.status)
            guard fingerprint != entries[index].fingerprint else { continue }
            entries[index].fingerprint = fingerprint
            do {
                certificates[index] = try TLSCertificateLoader.load(entries[index].source, development: development, now: now)
                report.reloaded.append(entries[index].source)
            } catch {
                report.failed.append(error)
            }
        }
        guard !report.isEmpty else { return report }
        let snapshot = Snapshot(zip(entries, certificates).map { ($0.pattern, $1) })
        state.withLock { $0 = (entries, certificates, snapshot) }
        return report
    }
}
