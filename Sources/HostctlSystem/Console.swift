import CHostctlLinux
import Glibc

/// One of the process's output streams, with what it knows about where it goes.
///
/// Writes go straight to the descriptor (no stdio buffer), so hostctl's lines and a
/// child's output that shares the descriptor come out in the order they were written.
public struct ConsoleStream: Sendable {
    public let descriptor: Int32
    /// The stream is a terminal (and TERM is not "dumb").
    public let isTerminal: Bool
    /// Colour and other escape sequences may be written.
    public let allowsColor: Bool

    public init(descriptor: Int32, isTerminal: Bool, allowsColor: Bool) {
        self.descriptor = descriptor
        self.isTerminal = isTerminal
        self.allowsColor = allowsColor
    }

    /// Inspects `descriptor`: colour only on a real terminal, and never when NO_COLOR is set
    /// to anything non-empty (no-color.org).
    public static func inspecting(_ descriptor: Int32, environment: ProcessEnvironment) -> ConsoleStream {
        let terminal = isatty(descriptor) == 1 && environment["TERM"] != "dumb"
        let noColor = !(environment["NO_COLOR"] ?? "").isEmpty
        return ConsoleStream(descriptor: descriptor, isTerminal: terminal, allowsColor: terminal && !noColor)
    }

    public func write(_ text: String) {
        // A closed or full stream must not take hostctl down; the app's exit code matters more.
        try? Descriptor.writeAll(descriptor, text)
    }

    public func writeLine(_ text: String, style: TextStyle = .plain) {
        write(styled(text, style) + "\n")
    }

    public func styled(_ text: String, _ style: TextStyle) -> String {
        guard allowsColor, style != .plain else { return text }
        return style.escape + text + "\u{1B}[0m"
    }

    /// Columns of the terminal, or 80 when unknown.
    public var columns: Int {
        let width = Int(chl_terminal_columns(descriptor))
        return width > 0 ? width : 80
    }
}

public enum TextStyle: Sendable {
    case plain, bold, dim, red, boldRed, yellow, green, cyan

    var escape: String {
        switch self {
        case .plain: ""
        case .bold: "\u{1B}[1m"
        case .dim: "\u{1B}[2m"
        case .red: "\u{1B}[31m"
        case .boldRed: "\u{1B}[1;31m"
        case .yellow: "\u{1B}[33m"
        case .green: "\u{1B}[32m"
        case .cyan: "\u{1B}[36m"
        }
    }
}

/// Standard output and standard error.
public struct Console: Sendable {
    public let out: ConsoleStream
    public let err: ConsoleStream

    public init(out: ConsoleStream, err: ConsoleStream) {
        self.out = out
        self.err = err
    }

    public static func standard(environment: ProcessEnvironment) -> Console {
        Console(
            out: .inspecting(STDOUT_FILENO, environment: environment),
            err: .inspecting(STDERR_FILENO, environment: environment)
        )
    }
}
