import Foundation

/// Whether `python3` here can import some modules (the test clients written in Python:
/// `h2` for HTTP/2, `websockets`): asked once per module list, by running the interpreter.
public enum PythonModules {
    public static let h2Available = available("h2", "hpack")

    public static func available(_ modules: String...) -> Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import " + modules.joined(separator: ", ")]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }
}
