import Glibc
import HostctlSystem

/// Why an io_uring could not be set up, worded for the person who has to act on it.
public enum IOUringError: Error, Equatable, CustomStringConvertible {
    /// io_uring_setup failed.
    case setup(errno: Int32)
    /// Registering the provided-buffer ring failed.
    case bufferRing(errno: Int32)
    /// The kernel's io_uring lacks operations the server needs.
    case missingOperations([String])
    /// Anything else (an eventfd, enabling the ring), with the call that failed.
    case system(call: String, errno: Int32)

    public var description: String {
        switch self {
        case .setup(let code): Self.explainSetup(code, disabledSetting: Self.readDisabledSetting(), kernel: Self.kernelRelease())
        case .bufferRing(let code) where code == EINVAL:
            "this kernel's io_uring has no provided-buffer rings (Linux 5.19 or later is needed; this is \(Self.kernelRelease()))"
        case .bufferRing(let code):
            "io_uring could not register its receive buffers: \(String(cString: strerror(code)))"
        case .missingOperations(let names):
            "this kernel's io_uring lacks \(names.joined(separator: ", ")) (Linux 6.1 or later is needed; this is \(Self.kernelRelease()))"
        case .system(let call, let code):
            "\(call) failed: \(String(cString: strerror(code)))"
        }
    }

    /// The cause of an io_uring_setup failure. `disabledSetting` is kernel.io_uring_disabled
    /// (nil when the kernel has no such setting).
    static func explainSetup(_ code: Int32, disabledSetting: Int?, kernel: String) -> String {
        switch code {
        case EPERM:
            switch disabledSetting {
            case 2: return "io_uring is disabled on this machine (sysctl kernel.io_uring_disabled = 2)"
            case 1: return "io_uring is limited to the group in sysctl kernel.io_uring_group (kernel.io_uring_disabled = 1), and this process is not in it"
            default: return "the kernel refused io_uring_setup with EPERM: a seccomp filter (as container runtimes install) or a security module forbids io_uring"
            }
        case ENOSYS:
            return "this kernel has no io_uring (built without CONFIG_IO_URING, or a seccomp filter answers ENOSYS)"
        case EINVAL:
            return "this kernel's io_uring lacks SINGLE_ISSUER and DEFER_TASKRUN (Linux 6.1 or later is needed; this is \(kernel))"
        case ENOMEM:
            return "io_uring could not allocate its rings (ENOMEM: see the locked-memory limit, ulimit -l)"
        case EMFILE, ENFILE:
            return "io_uring_setup found no free descriptor (\(String(cString: strerror(code))))"
        default:
            return "io_uring_setup failed: \(String(cString: strerror(code)))"
        }
    }

    private static func readDisabledSetting() -> Int? {
        guard let bytes = try? FileSystem.readFile("/proc/sys/kernel/io_uring_disabled") else { return nil }
        return Int(String(decoding: bytes, as: UTF8.self).filter(\.isNumber))
    }

    private static func kernelRelease() -> String {
        var names = utsname()
        uname(&names)
        return "Linux " + withUnsafeBytes(of: names.release) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
    }
}
