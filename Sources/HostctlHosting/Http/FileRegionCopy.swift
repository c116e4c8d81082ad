import Glibc
import HostctlSystem

/// How a file region reaches a response body on writers that cannot send files
/// themselves: read 64 KiB at a time with pread(2) and hand each chunk to `write`, which
/// copies it into the server's output, waiting while the output is over its limit. (The
/// server's own exchange reads straight into its output instead, with `chunks` and `read`.)
///
/// The buffer is a temporary allocation (on the stack where it fits) that lives only
/// across one read and one write: both are synchronous, so no suspension ever holds it,
/// and a file of any size costs the same memory.
public enum FileRegionCopy {
    public static let chunkSize = 64 * 1024

    public static func send(_ descriptor: Int32, offset: Int64, count: Int64, to writer: some ResponseBodyWriter) async throws {
        for chunk in chunks(offset: offset, count: count) {
            let mustWait = try withBytes(descriptor, at: chunk.offset, count: chunk.count) { try writer.write($0) }
            if mustWait { try await writer.waitUntilWritable() }
        }
    }

    /// The region cut into reads of at most `chunkSize` bytes.
    public static func chunks(offset: Int64, count: Int64) -> Chunks {
        precondition(offset >= 0 && count >= 0, "a file region starts at 0 or later and is not negative")
        return Chunks(next: offset, end: offset + count)
    }

    /// A plain iterator, not a lazy map: its closure's context was a heap allocation per region.
    public struct Chunks: Sequence, IteratorProtocol {
        @usableFromInline var nextOffset: Int64
        @usableFromInline let end: Int64

        init(next: Int64, end: Int64) {
            nextOffset = next
            self.end = end
        }

        @inlinable
        public mutating func next() -> (offset: Int64, count: Int)? {
            guard nextOffset < end else { return nil }
            let offset = nextOffset
            let count = Int(Swift.min(Int64(FileRegionCopy.chunkSize), end - offset))
            nextOffset += Int64(count)
            return (offset, count)
        }
    }

    /// Reads `count` bytes at `position` into a temporary buffer and hands them to `body`.
    /// Sized to the read, not the chunk limit: a small file's buffer then fits on the stack.
    public static func withBytes<Result>(
        _ descriptor: Int32, at position: Int64, count: Int, _ body: (UnsafeRawBufferPointer) throws -> Result
    ) throws -> Result {
        try withUnsafeTemporaryAllocation(byteCount: count, alignment: 16) { buffer in
            try read(descriptor, at: position, into: buffer)
            return try body(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Fills `buffer` from the file at `position` (pread(2), retried on EINTR and short
    /// reads), or throws: a read error, or the file ending first (truncated while being sent).
    public static func read(_ descriptor: Int32, at position: Int64, into buffer: UnsafeMutableRawBufferPointer) throws {
        var filled = 0
        while filled < buffer.count {
            let read = pread(descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(position + Int64(filled)))
            if read < 0, errno == EINTR { continue }
            if read < 0 { throw SystemError.last("pread") }
            if read == 0 { throw FileRegionError(offset: position + Int64(filled)) }
            filled += read
        }
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
