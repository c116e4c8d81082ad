import CHostctlLinux
import Glibc

/// Small operations on raw file descriptors that the rest of hostctl shares.
public enum Descriptor {
    /// Writes every byte, looping over short writes and interruptions.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = try retryingInterrupts("write") {
                write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            }
            offset += written
        }
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(SystemError) {
        try bytes.withUnsafeBytes { buffer in Result { () throws(SystemError) in try writeAll(fd, buffer) } }.get()
    }

    public static func writeAll(_ fd: Int32, _ text: String) throws(SystemError) {
        var text = text
        try text.withUTF8 { buffer in
            Result { () throws(SystemError) in try writeAll(fd, UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    /// Reads what is available into `buffer`; 0 means end of file, nil means it would block.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int? {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SystemError.last("read")
        }
    }

    /// A non-blocking, close-on-exec eventfd: a descriptor a poll loop watches for wake-ups
    /// from other threads (`signalEvent`).
    public static func makeEvent() throws(SystemError) -> Int32 {
        try retryingInterrupts("eventfd") { chl_eventfd() }
    }

    /// Adds one to an eventfd's counter, which wakes whoever polls it. From any thread.
    public static func signalEvent(_ fd: Int32) {
        var one: UInt64 = 1
        _ = Glibc.write(fd, &one, 8)
    }

    /// Resets an eventfd's counter once its wake-up has been seen.
    public static func drainEvent(_ fd: Int32) {
        var count: UInt64 = 0
        _ = Glibc.read(fd, &count, 8)
    }

    public static func close(_ fd: Int32) {
        // close() must not be retried on EINTR on Linux: the descriptor is already gone.
        _ = Glibc.close(fd)
    }

    /// A pipe whose both ends are close-on-exec; the spawner maps the child's end explicitly.
    public static func pipe() throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        _ = try retryingInterrupts("pipe2") { chl_pipe_cloexec(&fds) }
        return (fds[0], fds[1])
    }

    public static func setNonBlocking(_ fd: Int32) throws(SystemError) {
        let flags = try retryingInterrupts("fcntl") { fcntl(fd, F_GETFL) }
        _ = try retryingInterrupts("fcntl") { fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }
}
