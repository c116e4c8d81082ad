import Glibc
import HostctlSystem
import HostctlTLS

/// One `dev-certs https` run: check, clean (and import), or ensure (and export, and trust).
/// Messages are `dotnet dev-certs`' own, so scripts and habits carry over.
struct DevCertsRun {
    typealias ExitCode = DevCertsCommand.ExitCode

    let options: DevCertsOptions
    let location: DevelopmentCertificateLocation
    let environment: ProcessEnvironment
    let reporter: Reporter

    var files: DevelopmentCertificateFiles { DevelopmentCertificateFiles(location: location) }
    var trust: DevelopmentCertificateTrust { DevelopmentCertificateTrust(location: location, environment: environment) }

    func execute() -> Int32 {
        guard options.isValid else {
            reporter.error(DevCertsCommand.invalidUsage)
            return ExitCode.criticalError
        }
        if options.check { return check() }
        if options.clean {
            let cleaned = clean()
            guard cleaned == ExitCode.success, let importPath = options.importPath else { return cleaned }
            return importCertificate(from: importPath, password: options.password ?? "")
        }
        return ensure()
    }

    // MARK: --check

    private func check() -> Int32 {
        guard let certificate = files.loadValid() else {
            reporter.info("No valid certificate found.")
            return ExitCode.errorNoValidCertificateFound
        }
        guard options.trust else {
            reporter.info("A valid certificate was found: \(describe(certificate))")
            reporter.info("Run the command with both --check and --trust options to ensure that the certificate is not only valid but also trusted.")
            return ExitCode.success
        }
        let nss = trust.nssDatabasesTrusting()
        for database in nss { reporter.detail("Trusted by the NSS database \(database).") }
        if let reason = certificate.untrustedReasonForOpenSSLClients() {
            reporter.info("The following certificates were found, but none of them is trusted: \(describe(certificate))")
            reporter.detail("OpenSSL clients do not trust it: \(reason). Run 'hostctl dev-certs https --trust', and set SSL_CERT_DIR as it says.")
            if !options.verbose { reporter.info("Run the command with --verbose for more details.") }
            return ExitCode.errorCertificateNotTrusted
        }
        reporter.info("A trusted certificate was found: \(describe(certificate))")
        return ExitCode.success
    }

    /// As `dotnet dev-certs` describes a certificate.
    private func describe(_ certificate: TLSCertificate) -> String {
        "\(certificate.thumbprint) - \(certificate.subject) - Valid: \(TLSCertificate.utcText(certificate.notBefore)) - \(TLSCertificate.utcText(certificate.notAfter))"
            + " - IsHttpsDevelopmentCertificate: \(certificate.isDevelopmentCertificate ? "true" : "false") - IsExportable: true"
    }

    // MARK: --clean, --import

    private func clean() -> Int32 {
        reporter.info("Cleaning HTTPS development certificates from the machine. You may wish to remove \(location.trustDirectory) "
            + "from the SSL_CERT_DIR environment variable.")
        let problems = trust.removeEverywhere()
        files.remove()
        if !problems.isEmpty {
            reporter.error("There was an error trying to clean HTTPS development certificates on this machine.")
            for problem in problems { reporter.error(problem) }
            return ExitCode.errorCleaningUpCertificates
        }
        reporter.info("HTTPS development certificates successfully removed from the machine.")
        return ExitCode.success
    }

    private func importCertificate(from path: String, password: String) -> Int32 {
        guard FileSystem.exists(path) else {
            reporter.error("The certificate file '\(path)' does not exist.")
            return ExitCode.missingCertificateFile
        }
        let certificate: TLSCertificate
        do {
            certificate = try TLSCertificateLoader.load(path: path, keyPath: nil, password: password, now: nil)
        } catch {
            reporter.error("The provided certificate file '\(path)' is not a valid PFX file or the password is incorrect.")
            reporter.detail(error.description)
            return ExitCode.failedToLoadCertificate
        }
        guard certificate.isDevelopmentCertificate else {
            reporter.error("The certificate at '\(path)' is not a valid ASP.NET Core HTTPS development certificate.")
            return ExitCode.noDevelopmentHttpsCertificate
        }
        do { try files.save(certificate) } catch {
            reporter.error("There was an error saving the HTTPS developer certificate to the current user personal certificate store.")
            reporter.detail(error.description)
            return ExitCode.errorSavingTheCertificate
        }
        reporter.info("The certificate was successfully imported.")
        return ExitCode.success
    }

    // MARK: Ensure, export, trust

    private func ensure() -> Int32 {
        if options.trust {
            reporter.warning("Trusting the HTTPS development certificate was requested. Trust is per-user and may require additional configuration.")
        }
        var created = false
        let certificate: TLSCertificate
        if let existing = files.loadValid() {
            certificate = existing
        } else {
            do {
                certificate = try DevelopmentCertificate.make()
            } catch {
                reporter.error("There was an error creating the HTTPS developer certificate.")
                reporter.detail(error.description)
                return ExitCode.errorCreatingTheCertificate
            }
            do { try files.save(certificate) } catch {
                reporter.error("There was an error saving the HTTPS developer certificate to the current user personal certificate store.")
                reporter.detail(error.description)
                return ExitCode.errorSavingTheCertificate
            }
            created = true
            reporter.detail("Created \(location.certificatePath) and its key \(location.keyPath).")
        }

        if let exportPath = options.exportPath, let failure = export(certificate, to: exportPath) { return failure }

        if options.trust {
            let outcomes = trust.trust(certificate)
            var failed = 0
            var trusted = 0
            for outcome in outcomes {
                switch outcome {
                case .trusted(let what):
                    trusted += 1
                    reporter.info("Trusted in \(what).")
                case .skipped(let why):
                    reporter.detail(why)
                case .failed(let why):
                    failed += 1
                    reporter.warning("Could not trust it in \(why)")
                }
            }
            if failed > 0 {
                reporter.warning(trusted > 0
                    ? "There was an error trusting the HTTPS developer certificate. It will be trusted by some clients but not by others."
                    : "There was an error trusting the HTTPS developer certificate.")
                return ExitCode.errorTrustingTheCertificate
            }
            reporter.info(created ? "Successfully created and trusted a new HTTPS certificate." : "Successfully trusted the existing HTTPS certificate.")
            return ExitCode.success
        }
        reporter.info(created ? "The HTTPS developer certificate was generated successfully." : "A valid HTTPS certificate is already present.")
        return ExitCode.success
    }

    /// Writes the export; nil on success, else the exit code. As dotnet: Pfx (the default)
    /// carries the key only with a password (else just the certificate, DER); Pem writes the
    /// certificate, and the key beside it (`.key`) with a password (encrypted) or `--no-password`.
    private func export(_ certificate: TLSCertificate, to path: String) -> Int32? {
        let directory = FilePath.directory(path)
        guard directory.isEmpty || FileSystem.isDirectory(directory) else {
            reporter.warning("There was an error exporting the HTTPS developer certificate to a file. Please create the target directory "
                + "before exporting. Choose permissions carefully when creating it.")
            return ExitCode.errorExportingTheCertificate
        }
        do {
            if options.isPem {
                try FileSystem.writeFileAtomically(path, certificate.certificatePEM)
                if options.password != nil || options.noPassword {
                    let keyPath = Self.changingExtension(of: path, to: "key")
                    try FileSystem.writeFileAtomically(keyPath, certificate.privateKeyPEM(password: options.password), mode: 0o600)
                    reporter.detail("The key was exported to \(keyPath)")
                }
            } else if let password = options.password {
                guard let pfx = certificate.pkcs12(password: password) else {
                    reporter.warning("There was an error exporting the HTTPS developer certificate to a file.")
                    return ExitCode.errorExportingTheCertificate
                }
                try FileSystem.writeFileAtomically(path, pfx, mode: 0o600)
            } else {
                try FileSystem.writeFileAtomically(path, certificate.der)
            }
        } catch {
            reporter.warning("There was an error exporting the HTTPS developer certificate to a file.")
            reporter.detail(error.description)
            return ExitCode.errorExportingTheCertificate
        }
        reporter.detail("The certificate was exported to \(path)")
        return nil
    }

    /// `Path.ChangeExtension`: "cert.crt" → "cert.key", "cert" → "cert.key".
    static func changingExtension(of path: String, to newExtension: String) -> String {
        let name = FilePath.lastComponent(path)
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return path + "." + newExtension }
        return String(path.dropLast(name.distance(from: dot, to: name.endIndex))) + "." + newExtension
    }
}
