import Glibc
import HostctlSupervisor
import HostctlSystem

/// Builds a package with `swift build`, unless its stamp shows nothing has changed.
public struct PackageBuilder {
    public let package: PackageLocation
    public let toolchain: SwiftToolchain
    /// hostctl's own environment: the build never sees the app's `-e` values.
    public let environment: ProcessEnvironment
    public let reporter: Reporter
    public let relay: SignalRelay?
    /// Collects the first errors of a failed build (hostctl watch shows them in the page).
    var diagnostics: BuildDiagnostics?

    public init(package: PackageLocation, toolchain: SwiftToolchain, environment: ProcessEnvironment, reporter: Reporter, relay: SignalRelay?) {
        self.package = package
        self.toolchain = toolchain
        self.environment = environment
        self.reporter = reporter
        self.relay = relay
    }

    public struct Outcome: Equatable, Sendable {
        /// The product built (nil for a whole-package build).
        public let product: String?
        /// The stamp showed the build was up to date, so `swift build` did not run.
        public let skipped: Bool
    }

    /// What to build.
    public struct Request: Sendable {
        public var configuration: BuildConfiguration
        /// nil: the package's only executable product.
        public var product: String?
        /// Everything (an Executable profile runs something the whole package may produce).
        public var wholePackage = false
        /// Print "Building..." when a build happens (`dotnetRunMessages`).
        public var announces = false
        /// `hostctl build` always runs `swift build`; `hostctl run` may skip it.
        public var mayUseStamp = true

        public init(configuration: BuildConfiguration, product: String?, wholePackage: Bool = false, announces: Bool = false, mayUseStamp: Bool = true) {
            self.configuration = configuration
            self.product = product
            self.wholePackage = wholePackage
            self.announces = announces
            self.mayUseStamp = mayUseStamp
        }
    }

    public func build(_ request: Request) throws(HostctlFailure) -> Outcome {
        let key = BuildStamp.Key(configuration: request.configuration, product: request.product, wholePackage: request.wholePackage)
        let stampPath = BuildStamp.path(for: key, package: package)
        let fingerprint = BuildStamp.fingerprint(key: key, package: package, toolchain: toolchain, environment: environment)
        if request.mayUseStamp, let product = upToDateProduct(stampPath: stampPath, fingerprint: fingerprint, key: key) {
            reporter.detail("The \(request.configuration.rawValue) build is up to date; skipping swift build.")
            return Outcome(product: request.wholePackage ? nil : product, skipped: true)
        }
        if request.mayUseStamp, !request.wholePackage,
           let stamp = try stampFromWholePackageBuild(configuration: request.configuration, product: request.product, fingerprint: fingerprint) {
            reporter.detail("The \(request.configuration.rawValue) build of the whole package (hostctl build) is up to date; skipping swift build.")
            // Recorded under this run's own key, so the next run needs no product lookup.
            try? stamp.save(stampPath)
            return Outcome(product: stamp.product, skipped: true)
        }

        // Whatever happens next, the old stamp no longer describes the build folder.
        FileSystem.removeFile(stampPath)
        if request.announces { reporter.info("Building...") }
        let dependenciesBefore = LocalDependencies.read(package: package)
        let dependencyFingerprints = dependenciesBefore.map { directories in
            Dictionary(directories.map { ($0, BuildStamp.fingerprint(dependency: $0)) }, uniquingKeysWith: { a, _ in a })
        }

        var product = request.product
        if !request.wholePackage, product == nil {
            product = try soleExecutableProduct()
        }
        try runSwiftBuild(configuration: request.configuration, product: request.wholePackage ? nil : product)

        // Record the build only if nothing about its inputs is in doubt.
        let dependenciesAfter = LocalDependencies.read(package: package)
        if let dependencyFingerprints, let dependenciesAfter, dependenciesAfter == dependenciesBefore {
            let identity: String?
            var executables: [String: String] = [:]
            if let product, !request.wholePackage {
                identity = BuildStamp.identity(ofBinary: FilePath.join(package.binaryDirectory(request.configuration), product))
            } else {
                identity = "whole-package"
                executables = BuildStamp.executables(in: package.binaryDirectory(request.configuration))
            }
            if let identity {
                let stamp = BuildStamp(
                    product: product ?? "*", fingerprint: fingerprint,
                    dependencyFingerprints: dependencyFingerprints, binaryIdentity: identity, executables: executables
                )
                do {
                    try stamp.save(stampPath)
                } catch {
                    reporter.detail("Could not record the build (\(error)); the next run will build again.")
                }
            }
        }
        return Outcome(product: request.wholePackage ? nil : product, skipped: false)
    }

    private func upToDateProduct(stampPath: String, fingerprint: String, key: BuildStamp.Key) -> String? {
        guard let stamp = upToDateStamp(stampPath, fingerprint: fingerprint) else { return nil }
        if !key.wholePackage {
            let binary = FilePath.join(package.binaryDirectory(key.configuration), stamp.product)
            guard BuildStamp.identity(ofBinary: binary) == stamp.binaryIdentity else { return nil }
        }
        return stamp.product
    }

    /// The stamp at `path`, if the package and its local dependencies are as it recorded them.
    private func upToDateStamp(_ path: String, fingerprint: String) -> BuildStamp? {
        guard let stamp = BuildStamp.load(path), stamp.fingerprint == fingerprint else { return nil }
        for (directory, recorded) in stamp.dependencyFingerprints where BuildStamp.fingerprint(dependency: directory) != recorded {
            return nil
        }
        return stamp
    }

    /// `hostctl build` builds the whole package under a stamp of its own; a `hostctl run`
    /// after it (with no stamp of its own yet, or a stale one) may use that build when
    /// nothing has changed since and the product's binary is still the one it left. The
    /// product's name, when none was given, costs a `swift package describe`: still far
    /// less than `swift build`, and only once, since the run records its own stamp.
    /// Returns that stamp (for `fingerprint`, this run's own).
    private func stampFromWholePackageBuild(
        configuration: BuildConfiguration, product requested: String?, fingerprint: String
    ) throws(HostctlFailure) -> BuildStamp? {
        let wholeKey = BuildStamp.Key(configuration: configuration, product: nil, wholePackage: true)
        let wholeFingerprint = BuildStamp.fingerprint(key: wholeKey, package: package, toolchain: toolchain, environment: environment)
        guard let whole = upToDateStamp(BuildStamp.path(for: wholeKey, package: package), fingerprint: wholeFingerprint),
              !whole.executables.isEmpty
        else { return nil }
        let product: String
        if let requested { product = requested } else { product = try soleExecutableProduct() }
        guard let recorded = whole.executables[product],
              BuildStamp.identity(ofBinary: FilePath.join(package.binaryDirectory(configuration), product)) == recorded
        else { return nil }
        return BuildStamp(
            product: product, fingerprint: fingerprint, dependencyFingerprints: whole.dependencyFingerprints, binaryIdentity: recorded
        )
    }

    // MARK: Products

    /// The only executable product, or the errors `dotnet run` gives for zero or several projects.
    public func soleExecutableProduct() throws(HostctlFailure) -> String {
        let products = try executableProducts()
        guard !products.isEmpty else {
            throw HostctlFailure(
                "Unable to run your package: \(package.directory) has no executable product. Add an executable target to Package.swift."
            )
        }
        guard products.count == 1 else {
            throw HostctlFailure(
                "Specify which executable to run with --product, or with \"product\" in the launch profile, because the package in \(package.directory) has several executable products:\n"
                    + products.map { "\t\($0)" }.joined(separator: "\n")
            )
        }
        return products[0]
    }

    public func executableProducts() throws(HostctlFailure) -> [String] {
        var output: [UInt8] = []
        var errors: [UInt8] = []
        var interrupted = false
        let status = try invocation.run(
            ["package", "--package-path", package.directory, "describe", "--type", "json"], in: package.directory,
            stdout: { output.append(contentsOf: $0) }, stderr: { errors.append(contentsOf: $0) }, interrupted: &interrupted
        )
        try checkInterrupted(status, interrupted)
        guard status.isSuccess, let products = PackageProducts.executables(inDescription: output) else {
            // A manifest that does not evaluate is a build error: show SwiftPM's words for it.
            let shown = errors + (status.isSuccess ? output : [])
            reporter.console.err.write(String(decoding: shown, as: UTF8.self))
            shown.withUnsafeBytes { diagnostics?.feed($0, fromStandardError: true) }
            diagnostics?.finish()
            throw Self.buildFailed
        }
        return products
    }

    // MARK: swift build

    static let buildFailed = HostctlFailure("\nThe build failed. Fix the build errors and run again.")

    private var invocation: SwiftPMInvocation {
        SwiftPMInvocation(toolchain: toolchain, environment: environment, relay: relay, reporter: reporter)
    }

    private func runSwiftBuild(configuration: BuildConfiguration, product: String?) throws(HostctlFailure) {
        var arguments = ["build", "--package-path", package.directory, "-c", configuration.swiftPMName]
        if let product { arguments += ["--product", product] }
        switch reporter.verbosity {
        case .quiet: arguments.append("--quiet")
        case .detailed: arguments.append("-v")
        case .diagnostic: arguments.append("--very-verbose")
        case .minimal, .normal: break
        }

        let console = reporter.console
        let showsIndicator = console.out.isTerminal && reporter.verbosity > .quiet && reporter.verbosity < .detailed
        var display: BuildProgressDisplay?
        if showsIndicator {
            display = BuildProgressDisplay(stream: console.out, title: "\(product ?? "package") (\(configuration.swiftPMName))")
            display?.redraw()
        }
        var outSplitter = LineSplitter()
        var errSplitter = LineSplitter()
        var captured: [UInt8] = []  // -v q: output is kept and shown only if the build fails

        func forward(_ bytes: UnsafeRawBufferPointer, splitter: inout LineSplitter, to stream: ConsoleStream) {
            diagnostics?.feed(bytes, fromStandardError: stream.descriptor == console.err.descriptor)
            if reporter.verbosity == .quiet {
                captured.append(contentsOf: bytes)
            } else if let display {
                splitter.feed(bytes) { line in
                    if !display.consumeProgress(line), !line.hasPrefix("Building for ") { display.printAbove(line, on: stream) }
                }
            } else {
                try? Descriptor.writeAll(stream.descriptor, bytes)
            }
        }

        var interrupted = false
        let status = try invocation.run(
            arguments, in: package.directory,
            stdout: { forward($0, splitter: &outSplitter, to: console.out) },
            stderr: { forward($0, splitter: &errSplitter, to: console.err) },
            tick: display.map { display in { display.redraw() } }, interrupted: &interrupted
        )
        diagnostics?.finish()
        if let display {
            outSplitter.finish { display.printAbove($0, on: console.out) }
            errSplitter.finish { display.printAbove($0, on: console.err) }
            display.clear()
        }
        try checkInterrupted(status, interrupted)
        guard status.isSuccess else {
            if !captured.isEmpty { try? Descriptor.writeAll(console.err.descriptor, captured) }
            throw Self.buildFailed
        }
    }

    /// Ctrl+C during a build stops hostctl quietly with the code a shell expects.
    private func checkInterrupted(_ status: ExitStatus, _ interrupted: Bool) throws(HostctlFailure) {
        if case .signaled(let signal) = status, [SIGINT, SIGTERM, SIGHUP, SIGQUIT].contains(signal) {
            throw HostctlFailure("", exitCode: 128 + signal)
        }
        if interrupted, !status.isSuccess { throw HostctlFailure("", exitCode: 128 + SIGINT) }
    }
}
