import HostctlSystem

/// The app's own console lines (the lifetime messages, start-up errors), written whole
/// with one write(2) each so they never interleave with the app's other output mid-line.
public enum HostingConsole {
    public static func info(_ line: String) {
        try? Descriptor.writeAll(1, line + "\n")
    }

    public static func error(_ line: String) {
        try? Descriptor.writeAll(2, line + "\n")
    }
}
