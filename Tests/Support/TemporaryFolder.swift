import Glibc
import HostctlSystem

/// A fresh folder under /tmp for one test, removed with everything in it when released.
public final class TemporaryFolder: @unchecked Sendable {
    public let path: String

    public init(_ label: String) throws {
        var template = Array("/tmp/hostctl-test-\(label)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError.last("mkdtemp")
        }
        path = String(cString: made)
    }

    deinit { Self.removeTree(path) }

    /// `name`'s path inside the folder.
    public func file(_ name: String) -> String { FilePath.join(path, name) }

    /// Writes `text` to `name` (creating folders on the way), replacing it in place.
    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    @discardableResult
    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let target = file(name)
        try FileSystem.makeDirectories(FilePath.directory(target))
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SystemError.last("open", subject: target) }
        defer { Descriptor.close(fd) }
        try Descriptor.writeAll(fd, bytes)
        return target
    }

    private static func removeTree(_ path: String) {
        if let status = FileSystem.linkStatus(path), status.kind == .directory {
            for name in (try? FileSystem.contentsOfDirectory(path)) ?? [] { removeTree(FilePath.join(path, name)) }
            FileSystem.removeDirectory(path)
        } else {
            FileSystem.removeFile(path)
        }
    }
}
