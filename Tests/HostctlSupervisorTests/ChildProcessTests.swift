import Glibc
import HostctlSupervisor
import HostctlSystem
import Testing

/// The spawn path (fork and exec by hand in CHostctlLinux) against real programs.
@Suite struct ChildProcessTests {
    static let shell = "/bin/sh"

    /// A child is not Sendable; this one is handed from the thread that made it, then used
    /// by the test alone.
    final class Handoff: @unchecked Sendable { var child: ChildProcess?; var error: SystemError? }

    func request(_ script: String) -> SpawnRequest {
        var request = SpawnRequest(executable: Self.shell, arguments: ["-c", script], environment: ProcessEnvironment([("PATH", "/usr/bin:/bin")]))
        request.standardInput = .null
        request.standardOutput = .pipe
        return request
    }

    /// Everything the child wrote to its stdout, up to its end.
    func output(of child: ChildProcess) -> String {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var entry = pollfd(fd: child.standardOutput!, events: Int16(POLLIN), revents: 0)
        while poll(&entry, 1, 10_000) > 0 {
            let count = read(child.standardOutput!, &buffer, buffer.count)
            if count > 0 { bytes += buffer[0..<count]; continue }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Linux sends the parent-death signal when the thread that spawned the child ends, as
    /// it does when the whole process dies: the test's own thread plays hostctl.
    @Test func theParentDeathSignalArrivesWhenTheSpawningThreadEnds() throws {
        let handoff = Handoff()
        var sleeper = request("exec sleep 30")
        sleeper.standardOutput = .inherit
        sleeper.parentDeathSignal = SIGTERM
        let spawnRequest = sleeper
        NativeThread(name: "test-spawner") {
            do throws(SystemError) { handoff.child = try ChildProcess.spawn(spawnRequest) } catch { handoff.error = error }
        }.join()
        let child = try #require(handoff.child, "\(String(describing: handoff.error))")
        #expect(child.waitForExit() == .signaled(SIGTERM), "ended by the signal, not after 30 s")
    }

    /// Passed descriptors land on 3, 4, … in order, even a source whose number is among
    /// those (here the test's stderr, 2, going to 3, while the stdout pipe goes to 1); no
    /// other descriptor crosses over.
    @Test func passedDescriptorsArriveInOrderAndNothingElse() throws {
        let extra = try Descriptor.pipe()
        defer { Descriptor.close(extra.read) }
        var script = request(#"readlink /proc/$$/fd/3; echo four >&4; for fd in $(ls /proc/$$/fd); do echo "fd $fd"; done"#)
        script.passedDescriptors = [2, extra.write]
        let child = try ChildProcess.spawn(script)
        Descriptor.close(extra.write)
        let lines = output(of: child).split(separator: "\n").map(String.init)
        #expect(child.waitForExit() == .exited(0))
        var stderrTarget = [CChar](repeating: 0, count: 512)
        let length = readlink("/proc/self/fd/2", &stderrTarget, stderrTarget.count - 1)
        #expect(lines.first == String(decoding: stderrTarget[0..<max(0, length)].map { UInt8(bitPattern: $0) }, as: UTF8.self), "\(lines)")
        var four = [UInt8](repeating: 0, count: 16)
        let count = read(extra.read, &four, four.count)
        #expect(count == 5 && String(decoding: four[0..<5], as: UTF8.self) == "four\n")
        // The shell's own: 0, 1, 2, the two passed, and the one ls reads the folder with.
        let descriptors = lines.filter { $0.hasPrefix("fd ") }.compactMap { Int($0.dropFirst(3)) }
        #expect(descriptors.filter { $0 <= 4 } == [0, 1, 2, 3, 4], "\(lines)")
        #expect(descriptors.filter { $0 > 4 }.count <= 1, "nothing of the test process leaked: \(lines)")
    }

    @Test func aNewGroupIsLedByTheChild() throws {
        var script = request("exec sleep 30")
        script.standardOutput = .inherit
        script.grouping = .newGroup
        let child = try ChildProcess.spawn(script)
        let stat = String(decoding: try FileSystem.readFile("/proc/\(child.pid)/stat"), as: UTF8.self)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        #expect(pid_t(fields[2]) == child.pid, "\(stat)")
        child.send(SIGKILL)
        #expect(child.waitForExit() == .signaled(SIGKILL))
    }

    /// Failures in the child before exec are reported by the spawn, naming the step.
    @Test func failuresNameTheStepThatFailed() throws {
        let notExecutable = "/tmp/hostctl-not-executable-\(getpid())"
        try FileSystem.writeFileAtomically(notExecutable, Array("data".utf8))
        defer { FileSystem.removeFile(notExecutable) }
        #expect(throws: SystemError("execve", code: ENOENT, subject: "/no/such/program")) {
            try ChildProcess.spawn(SpawnRequest(executable: "/no/such/program", environment: ProcessEnvironment()))
        }
        #expect(throws: SystemError("chdir", code: ENOENT, subject: "/no/such/folder")) {
            try ChildProcess.spawn(SpawnRequest(executable: Self.shell, arguments: ["-c", "true"], environment: ProcessEnvironment(), workingDirectory: "/no/such/folder"))
        }
        #expect(throws: SystemError("execve", code: EACCES, subject: notExecutable)) {
            try ChildProcess.spawn(SpawnRequest(executable: notExecutable, environment: ProcessEnvironment()))
        }
    }
}
