import HostctlSystem

/// hostctl watch's own messages, in `dotnet watch`'s words and shape (`dotnet watch 🚀
/// Started`): an emoji on a terminal, a colon elsewhere, so logs stay plain text.
struct WatchReporter {
    let reporter: Reporter

    enum Mark: String {
        case watch = "⌚", build = "🔧", launch = "🚀", error = "❌", wait = "⏳", stop = "🛑", restart = "🔄", hint = "💡"
    }

    private func line(_ mark: Mark, _ message: String, on stream: ConsoleStream) -> String {
        stream.isTerminal ? "hostctl watch \(mark.rawValue) \(message)" : "hostctl watch: \(message)"
    }

    func info(_ mark: Mark, _ message: String) {
        reporter.info(line(mark, message, on: reporter.console.out))
    }

    func warning(_ mark: Mark, _ message: String) {
        reporter.warning(line(mark, message, on: reporter.console.out))
    }

    func error(_ message: String) {
        reporter.error(line(.error, message, on: reporter.console.err))
    }

    func waitingForChange() {
        warning(.wait, "Waiting for a file to change before restarting...")
    }
}
