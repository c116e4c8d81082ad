import HostctlSystem

/// The one-line build indicator on a terminal: a spinner, what is being built, SwiftPM's
/// step count and the elapsed time, redrawn in place. Other output is printed above it.
final class BuildProgressDisplay {
    private let stream: ConsoleStream
    private let title: String
    private let started = MonotonicClock.now()
    private var step: (done: Int, total: Int)?
    private var frame = 0
    private var visible = false

    private static let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]

    init(stream: ConsoleStream, title: String) {
        self.stream = stream
        self.title = title
    }

    /// Reads SwiftPM's "[12/40] Compiling …" lines; returns false for any other line.
    func consumeProgress(_ line: String) -> Bool {
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return false }
        let inside = line[line.index(after: line.startIndex)..<close].split(separator: "/")
        guard inside.count == 2, let done = Int(inside[0]), let total = Int(inside[1]) else { return false }
        step = (done, total)
        redraw()
        return true
    }

    func redraw() {
        frame += 1
        var text = "\(Self.spinner[frame % Self.spinner.count]) Building \(title)"
        if let step { text += " [\(step.done)/\(step.total)]" }
        text += " " + Self.format(elapsed: MonotonicClock.now() - started)
        let limit = max(stream.columns - 1, 10)
        if text.count > limit { text = String(text.prefix(limit)) }
        stream.write("\r\u{1B}[2K" + stream.styled(text, .dim))
        visible = true
    }

    /// Prints a line of build output above the indicator.
    func printAbove(_ line: String, on target: ConsoleStream) {
        clear()
        target.write(line + "\n")
        redraw()
    }

    func clear() {
        guard visible else { return }
        stream.write("\r\u{1B}[2K")
        visible = false
    }

    static func format(elapsed nanoseconds: Int64) -> String {
        let tenths = nanoseconds / 100_000_000
        if tenths < 600 { return "\(tenths / 10).\(tenths % 10)s" }
        let seconds = tenths / 10
        let remainder = seconds % 60
        return "\(seconds / 60)m \(remainder < 10 ? "0" : "")\(remainder)s"
    }
}
