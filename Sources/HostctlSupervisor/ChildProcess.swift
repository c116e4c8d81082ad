import CHostctlLinux
import Glibc
import HostctlSystem

/// A started child process and the parent's ends of its pipes.
///
/// Spawning follows what SwiftPM's `swift run` does before exec, for the same reason:
/// hostctl may have signals blocked or ignored (Dispatch blocks some on its threads,
/// and hostctl itself blocks the ones it forwards), and a child must start with every
/// signal at its default disposition and an empty mask; and no descriptor hostctl
/// happens to hold may leak into the child.
public final class ChildProcess {
    public let pid: pid_t
    /// Parent's write end of the child's stdin, when `.pipe` was asked for.
    public private(set) var standardInput: Int32?
    /// Parent's read end of the child's stdout, when `.pipe` was asked for.
    public private(set) var standardOutput: Int32?
    /// Parent's read end of the child's stderr, when `.pipe` was asked for.
    public private(set) var standardError: Int32?
    /// Set once the child has been reaped.
    public private(set) var exitStatus: ExitStatus?

    init(pid: pid_t, standardInput: Int32?, standardOutput: Int32?, standardError: Int32?) {
        self.pid = pid
        self.standardInput = standardInput
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    deinit {
        for fd in [standardInput, standardOutput, standardError] { if let fd { Descriptor.close(fd) } }
    }

    /// Starts `request`. Failures to exec (no such file, not executable) are reported
    /// here, synchronously: glibc's posix_spawn waits for the exec in the child.
    public static func spawn(_ request: SpawnRequest) throws(SystemError) -> ChildProcess {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }

        var parentEnds: [Int32?] = [nil, nil, nil]
        var childEnds: [Int32] = []
        var duplicates: [Int32] = []
        defer {
            for fd in childEnds { Descriptor.close(fd) }
            for fd in duplicates { Descriptor.close(fd) }
        }
        do throws(SystemError) {
            for (target, stream) in [request.standardInput, request.standardOutput, request.standardError].enumerated() {
                switch stream {
                case .inherit:
                    break
                case .null:
                    posix_spawn_file_actions_addopen(&actions, Int32(target), "/dev/null", O_RDWR, 0)
                case .pipe:
                    let ends = try Descriptor.pipe()
                    let (parentEnd, childEnd) = target == 0 ? (ends.write, ends.read) : (ends.read, ends.write)
                    parentEnds[target] = parentEnd
                    childEnds.append(childEnd)
                    posix_spawn_file_actions_adddup2(&actions, childEnd, Int32(target))
                }
            }

            // Passed descriptors are first copied above any number they could collide with,
            // so mapping them onto 3, 4, … cannot overwrite one another.
            for (offset, fd) in request.passedDescriptors.enumerated() {
                let copy = fcntl(fd, F_DUPFD_CLOEXEC, 64)
                guard copy >= 0 else { throw SystemError.last("fcntl(F_DUPFD_CLOEXEC)") }
                duplicates.append(copy)
                posix_spawn_file_actions_adddup2(&actions, copy, Int32(3 + offset))
            }
            chl_spawn_add_closefrom(&actions, Int32(3 + request.passedDescriptors.count))

            if let directory = request.workingDirectory {
                chl_spawn_add_chdir(&actions, directory)
            }

            var allSignals = sigset_t()
            sigfillset(&allSignals)
            posix_spawnattr_setsigdefault(&attributes, &allSignals)
            var emptyMask = sigset_t()
            sigemptyset(&emptyMask)
            posix_spawnattr_setsigmask(&attributes, &emptyMask)
            var flags = Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
            switch request.grouping {
            case .inherit: break
            case .newGroup:
                flags |= Int16(POSIX_SPAWN_SETPGROUP)
                posix_spawnattr_setpgroup(&attributes, 0)
            case .newSession:
                flags |= chl_spawn_flag_setsid()
            }
            posix_spawnattr_setflags(&attributes, flags)

            let argv = [request.argumentZero ?? request.executable] + request.arguments
            let pid = try withCStrings(argv) { (argvPointers) throws(SystemError) -> pid_t in
                try withCStrings(request.environment.assignments) { (envPointers) throws(SystemError) -> pid_t in
                    var pid: pid_t = 0
                    let result = posix_spawn(&pid, request.executable, &actions, &attributes, argvPointers, envPointers)
                    guard result == 0 else { throw SystemError("posix_spawn", code: result, subject: request.executable) }
                    return pid
                }
            }
            for fd in parentEnds.compactMap({ $0 }) where fd != parentEnds[0] {
                _ = try? Descriptor.setNonBlocking(fd)
            }
            return ChildProcess(pid: pid, standardInput: parentEnds[0], standardOutput: parentEnds[1], standardError: parentEnds[2])
        } catch {
            for fd in parentEnds.compactMap({ $0 }) { Descriptor.close(fd) }
            throw error
        }
    }

    /// Sends `signal` to the child (nothing once it has been reaped: the pid may be reused).
    public func send(_ signal: Int32) {
        guard exitStatus == nil else { return }
        kill(pid, signal)
    }

    /// Reaps the child if it has ended; returns its status then.
    @discardableResult
    public func reapIfExited() -> ExitStatus? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else { return nil }
        exitStatus = Self.decode(status)
        return exitStatus
    }

    /// Blocks until the child ends and reaps it.
    public func waitForExit() -> ExitStatus {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        exitStatus = Self.decode(status)
        return exitStatus!
    }

    /// Gives up ownership of a pipe end, so the caller closes it.
    public func takeStandardInput() -> Int32? {
        defer { standardInput = nil }
        return standardInput
    }

    static func decode(_ status: Int32) -> ExitStatus {
        if chl_wait_signaled(status) != 0 { return .signaled(chl_wait_term_signal(status)) }
        return .exited(chl_wait_exit_code(status))
    }
}

/// Calls `body` with a NULL-terminated array of C strings that live for the call.
private func withCStrings<R>(
    _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws(SystemError) -> R
) throws(SystemError) -> R {
    let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
    defer { for pointer in pointers { free(pointer) } }
    return try body(pointers)
}
