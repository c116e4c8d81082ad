/// The first errors in a build's output (`swift build`'s and the compiler's), as lines to
/// show over the app's pages when the build fails. Paths inside the package are made
/// relative to it; repeats are dropped (the driver can report an error twice).
final class BuildDiagnostics {
    let packageDirectory: String
    let limit: Int
    private(set) var errors: [String] = []
    private var outSplitter = LineSplitter()
    private var errSplitter = LineSplitter()

    init(packageDirectory: String, limit: Int = 5) {
        self.packageDirectory = packageDirectory
        self.limit = limit
    }

    /// Takes a chunk of the build's stdout or stderr.
    func feed(_ bytes: UnsafeRawBufferPointer, fromStandardError: Bool) {
        if fromStandardError {
            errSplitter.feed(bytes, line: consider)
        } else {
            outSplitter.feed(bytes, line: consider)
        }
    }

    /// The output has ended: its unterminated last lines count too.
    func finish() {
        outSplitter.finish(line: consider)
        errSplitter.finish(line: consider)
    }

    /// Forgets the last build's errors before the next one.
    func reset() {
        errors = []
        outSplitter = LineSplitter()
        errSplitter = LineSplitter()
    }

    private func consider(_ line: String) {
        guard errors.count < limit, Self.isError(line) else { return }
        var text = line
        let prefix = packageDirectory.hasSuffix("/") ? packageDirectory : packageDirectory + "/"
        if text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
        if !errors.contains(text) { errors.append(text) }
    }

    /// `file:line:column: error: …` from the compiler, `error: …` from SwiftPM.
    static func isError(_ line: String) -> Bool {
        line.hasPrefix("error: ") || line.contains(": error: ")
    }
}
