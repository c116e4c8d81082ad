import HostctlSupervisor
import HostctlCommandLine
import HostctlSystem

/// What every hostctl command does around its own work: parse the tokens against the
/// command's declaration, answer `--help`, and turn a `HostctlFailure` into a message on
/// stderr and an exit code.
struct CommandHarness {
    let environment: ProcessEnvironment
    let console: Console

    func execute(
        _ tokens: [String], spec: CommandSpec, help: (ParsedCommandLine) -> String? = { _ in nil },
        body: (ParsedCommandLine, Reporter) throws(HostctlFailure) -> Int32
    ) -> Int32 {
        let parsed: ParsedCommandLine
        do {
            parsed = try CommandLineParser.parse(tokens, for: spec)
        } catch {
            console.err.writeLine(error.description, style: .red)
            return 1
        }
        if parsed.helpRequested {
            console.out.write((help(parsed) ?? "") + HelpFormatter.render(spec))
            return 0
        }
        let verbosity = parsed.value("verbosity").flatMap(Verbosity.init(rawValue:)) ?? .minimal
        let reporter = Reporter(console: console, verbosity: verbosity)
        do {
            return try body(parsed, reporter)
        } catch {
            if !error.message.isEmpty { reporter.error(error.message) }
            return error.exitCode
        }
    }
}

extension PackageLocation {
    /// `--project` resolved against the current directory.
    static func resolve(project: String?, purpose: String) throws(HostctlFailure) -> PackageLocation {
        let currentDirectory: String
        do { currentDirectory = try FileSystem.currentDirectory() } catch {
            throw HostctlFailure("The current directory cannot be read: \(error.reason).")
        }
        return try resolve(project: project, currentDirectory: currentDirectory, purpose: purpose)
    }
}

extension SignalRelay {
    /// The relay for hostctl's own children, created before the first one starts.
    static func forChildren() throws(HostctlFailure) -> SignalRelay {
        do { return try SignalRelay(signals: SignalPolicy.handled) } catch {
            throw HostctlFailure("Could not set up signal handling: \(error).")
        }
    }
}


