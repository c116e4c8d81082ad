import HostctlSystem

/// Everything needed to start a child process.
public struct SpawnRequest: Sendable {
    /// Where a child's standard stream comes from or goes to.
    public enum Stream: Sendable, Equatable {
        /// The same descriptor hostctl has.
        case inherit
        /// /dev/null.
        case null
        /// A new pipe; the parent's end is on the returned `ChildProcess`.
        case pipe
    }

    /// Which process group or session the child joins.
    public enum Grouping: Sendable, Equatable {
        /// hostctl's own group, so a terminal's Ctrl+C reaches the child directly.
        case inherit
        /// A new group led by the child (signals to the group then reach only it and its children).
        case newGroup
        /// A new session: detached from hostctl's terminal (a browser must outlive Ctrl+C).
        case newSession
    }

    /// Path of the program; a bare name is not searched for (see `ExecutableSearch`).
    public var executable: String
    public var arguments: [String]
    /// argv[0]; the executable path when nil.
    public var argumentZero: String?
    public var environment: ProcessEnvironment
    /// The child's working directory; hostctl's when nil.
    public var workingDirectory: String?
    public var standardInput: Stream = .inherit
    public var standardOutput: Stream = .inherit
    public var standardError: Stream = .inherit
    public var grouping: Grouping = .inherit
    /// Parent descriptors the child receives as 3, 4, … in this order (64 at most); every
    /// other descriptor above 2 is closed in the child.
    public var passedDescriptors: [Int32] = []
    /// The signal the child gets when hostctl dies, however it dies (SIGKILL included):
    /// Linux's parent-death signal. It is tied to the *thread* that spawns, not the process,
    /// so set it only when spawning from a thread that outlives the child (the main thread,
    /// or a thread of one's own that waits for the child); never from Swift's concurrency
    /// pool, whose threads come and go. nil: the child outlives hostctl.
    public var parentDeathSignal: Int32?

    public init(executable: String, arguments: [String] = [], environment: ProcessEnvironment, workingDirectory: String? = nil) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
    }
}
