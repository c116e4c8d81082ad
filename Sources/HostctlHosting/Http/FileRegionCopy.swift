import Glibc
import HostctlSystem

/// How a file region reaches a response body on writers that cannot send files
/// themselves: read 64 KiB at a time with pread(2) and hand each chunk to `write`, which
/// copies it into the server's output, waiting while the output is over its limit.
///
/// The buffer is a temporary allocation (on the stack where it fits) that lives only
/// across one read and one write: both are synchronous, so no suspension ever holds it,
/// and a file of any size costs the same memory.
public enum FileRegionCopy {
    public static let chunkSize = 64 * 1024

    public static func send(_ descriptor: Int32, offset: Int64, count: Int64, to writer: some ResponseBodyWriter) async throws {
        precondition(offset >= 0 && count >= 0, "a file region starts at 0 or later and is not negative")
        var position = offset
        var remaining = count
        while remaining > 0 {
            let (copied, mustWait) = try copyChunk(descriptor, at: position, upTo: Int(min(remaining, Int64(chunkSize))), to: writer)
            position += copied
            remaining -= copied
            if mustWait { try await writer.waitUntilWritable() }
        }
    }

    /// One read and one write. Returns the bytes copied and whether the writer asked to wait.
    private static func copyChunk(_ descriptor: Int32, at position: Int64, upTo wanted: Int, to writer: some ResponseBodyWriter) throws -> (Int64, Bool) {
        // Sized to the chunk, not the limit: a small file's buffer then fits on the stack.
        try withUnsafeTemporaryAllocation(byteCount: wanted, alignment: 16) { buffer in
            let read = try readSome(descriptor, at: position, into: buffer)
            let mustWait = try writer.write(UnsafeRawBufferPointer(rebasing: buffer[..<read]))
            return (Int64(read), mustWait)
        }
    }

    /// Fills `buffer` from the file at `position`, or throws: a read error, or the file
    /// ending first (truncated while being sent).
    public static func read(_ descriptor: Int32, at position: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        var filled = 0
        while filled < buffer.count {
            filled += try readSome(descriptor, at: position + Int64(filled), into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        }
    }

    /// One pread(2), retried on EINTR: at least one byte, or an error.
    private static func readSome(_ descriptor: Int32, at position: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var read: Int
        repeat {
            read = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position))
        } while read < 0 && errno == EINTR
        if read < 0 { throw SystemError.last("pread") }
        if read == 0 { throw FileRegionError(offset: position) }
        return read
    }
}

/// The file ended before the region did (it was truncated while being sent).
public struct FileRegionError: Error, CustomStringConvertible {
    public let offset: Int64
    public var description: String { "The file ended at byte \(offset), before the region to send did (was it truncated?)." }
}

extension HTTPResponse {
    /// Sends `count` bytes of an open file from `offset` as (the next part of) the body:
    /// without copying them through user space where the server can, else through a
    /// buffer. Set `contentLength` first for a body of known length (as static files do).
    /// The descriptor stays yours to close.
    ///
    /// ```swift
    /// let fd = open(path, O_RDONLY | O_CLOEXEC)
    /// defer { close(fd) }
    /// context.response.contentLength = size
    /// try await context.response.sendFile(fd, offset: 0, count: Int64(size))
    /// ```
    public func sendFile(_ descriptor: Int32, offset: Int64 = 0, count: Int64) async throws {
        guard let writer else { throw ConnectionAbortedError("The response has no server connection to write to.") }
        try await writer.sendFile(descriptor, offset: offset, count: count)
        _bodyBytesWritten &+= Int(count)
    }

    /// Opens `path` and sends `count` bytes of it from `offset` (to its end when nil), as
    /// ASP.NET's `SendFileAsync(path, offset, count)`. Headers are the caller's to set.
    public func sendFile(path: String, offset: Int64 = 0, count: Int64? = nil) async throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError.last("open", subject: path) }
        defer { Descriptor.close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw SystemError.last("fstat", subject: path) }
        let size = Int64(status.st_size)
        guard offset >= 0, offset <= size else { throw FileRegionError(offset: offset) }
        try await sendFile(descriptor, offset: offset, count: count ?? (size - offset))
    }
}
