import HostctlSystem

/// hostctl's own messages, routed by kind and filtered by verbosity.
///
/// Information goes to stdout (as `dotnet run` prints "Using launch settings…"), problems
/// to stderr; `-v q` silences everything but errors.
public struct Reporter: Sendable {
    public let console: Console
    public let verbosity: Verbosity

    public init(console: Console, verbosity: Verbosity) {
        self.console = console
        self.verbosity = verbosity
    }

    public func info(_ message: String) {
        guard verbosity > .quiet else { return }
        console.out.writeLine(message)
    }

    /// Shown from `-v d` up: the commands hostctl runs and the choices it makes.
    public func detail(_ message: String) {
        guard verbosity >= .detailed else { return }
        console.out.writeLine(message, style: .dim)
    }

    public func warning(_ message: String) {
        guard verbosity > .quiet else { return }
        console.out.writeLine(message, style: .yellow)
    }

    /// Always shown: red and bold on a terminal, as `dotnet run` prints profile failures.
    public func error(_ message: String) {
        console.err.writeLine(message, style: .boldRed)
    }
}
