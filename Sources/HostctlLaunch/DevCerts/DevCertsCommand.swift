import Glibc
import HostctlCommandLine
import HostctlSystem
import HostctlTLS

/// `hostctl dev-certs https`: `dotnet dev-certs https` for hostctl, with its options, its
/// messages and its exit codes (the codes tools test for: 6 and 7 from `--check`).
public struct DevCertsCommand {
    public let environment: ProcessEnvironment
    public let console: Console

    public init(environment: ProcessEnvironment, console: Console) {
        self.environment = environment
        self.console = console
    }

    /// `dotnet dev-certs`' exit codes.
    enum ExitCode {
        static let criticalError: Int32 = -1
        static let success: Int32 = 0
        static let errorCreatingTheCertificate: Int32 = 1
        static let errorSavingTheCertificate: Int32 = 2
        static let errorExportingTheCertificate: Int32 = 3
        static let errorTrustingTheCertificate: Int32 = 4
        static let errorNoValidCertificateFound: Int32 = 6
        static let errorCertificateNotTrusted: Int32 = 7
        static let errorCleaningUpCertificates: Int32 = 8
        static let invalidKeyExportFormat: Int32 = 10
        static let errorImportingCertificate: Int32 = 11
        static let missingCertificateFile: Int32 = 12
        static let failedToLoadCertificate: Int32 = 13
        static let noDevelopmentHttpsCertificate: Int32 = 14
    }

    static let invalidUsage = """
        Incompatible set of flags. Sample usages
        'hostctl dev-certs https'
        'hostctl dev-certs https --clean'
        'hostctl dev-certs https --clean --import ./certificate.pfx -p password'
        'hostctl dev-certs https --check --trust'
        'hostctl dev-certs https -ep ./certificate.pfx -p password --trust'
        'hostctl dev-certs https -ep ./certificate.crt --trust --format Pem'
        'hostctl dev-certs https -ep ./certificate.crt -p password --trust --format Pem'
        """

    public func execute(_ tokens: [String]) -> Int32 {
        // dotnet answers an unknown --format with its own code (10), where the parser would
        // stop at the choice with 1: look before parsing.
        if let format = Self.formatValue(in: tokens), !["pfx", "pem"].contains(format.lowercased()) {
            console.err.writeLine("Unknown key format '\(format)'.", style: .boldRed)
            return ExitCode.invalidKeyExportFormat
        }
        return CommandHarness(environment: environment, console: console).execute(tokens, spec: HostctlCommands.devCerts) {
            (parsed, _) throws(HostctlFailure) in
            let verbosity: Verbosity = parsed.isSet("quiet") ? .quiet : parsed.isSet("verbose") ? .detailed : .minimal
            let reporter = Reporter(console: console, verbosity: verbosity)
            guard parsed.arguments.first == "https" else {
                console.out.write(HelpFormatter.render(HostctlCommands.devCerts))
                return ExitCode.success
            }
            guard let location = DevelopmentCertificateLocation(environment: environment) else {
                throw HostctlFailure("Neither XDG_DATA_HOME nor HOME is set: there is nowhere to keep the certificate.")
            }
            let run = DevCertsRun(
                options: DevCertsOptions(parsed), location: location, environment: environment, reporter: reporter
            )
            return run.execute()
        }
    }

    private static func formatValue(in tokens: [String]) -> String? {
        for (index, token) in tokens.enumerated() {
            if token == "--" { return nil }
            if token == "--format" { return index + 1 < tokens.count ? tokens[index + 1] : nil }
            if token.hasPrefix("--format=") { return String(token.dropFirst("--format=".count)) }
        }
        return nil
    }
}

/// The options of one `dev-certs https` run.
struct DevCertsOptions {
    var exportPath: String?
    var password: String?
    var noPassword = false
    var check = false
    var clean = false
    var importPath: String?
    var format: String?
    var trust = false
    var verbose = false

    init(_ parsed: ParsedCommandLine) {
        exportPath = parsed.value("exportPath")
        password = parsed.value("password")
        noPassword = parsed.isSet("noPassword")
        check = parsed.isSet("check")
        clean = parsed.isSet("clean")
        importPath = parsed.value("import")
        format = parsed.value("format")
        trust = parsed.isSet("trust")
        verbose = parsed.isSet("verbose")
    }

    var isPem: Bool { format?.lowercased() == "pem" }

    /// dotnet's rules for what goes with what.
    var isValid: Bool {
        if clean && (exportPath != nil || trust || format != nil || noPassword || check || (importPath == nil) != (password == nil)) {
            return false
        }
        if check && (exportPath != nil || password != nil || noPassword || clean || format != nil || importPath != nil) { return false }
        if !clean && !check {
            if password != nil && noPassword { return false }
            if noPassword && !isPem { return false }
            if importPath != nil { return false }
        }
        return true
    }
}
