#if canImport(Glibc)
import Glibc
#endif

/// A growable run of bytes with a read index and a write index, for socket I/O.
///
/// A class, not a value: a buffer is owned by one connection at a time and handed
/// between the connection and its transport (the transport owns it while a send is in
/// flight), so copies would be bugs and copy-on-write checks would be wasted work.
/// Memory comes from malloc and is given back by `release()` or deinit, so an idle
/// connection can drop its buffers entirely.
///
/// ```swift
/// let buffer = ByteBuffer(capacity: 4096)
/// buffer.append("HTTP/1.1 200 OK\r\n")
/// send(fd, buffer.readableBytes.baseAddress, buffer.readableCount, 0)
/// ```
public final class ByteBuffer {
    @exclusivity(unchecked) @usableFromInline var _base: UnsafeMutableRawPointer?
    public var base: UnsafeMutableRawPointer? { _base }
    @exclusivity(unchecked) @usableFromInline var _capacity: Int
    public var capacity: Int { _capacity }
    /// Where unread bytes start.
    @exclusivity(unchecked) @usableFromInline var _readerIndex: Int = 0
    public var readerIndex: Int { _readerIndex }
    /// Where the next written byte goes.
    @exclusivity(unchecked) @usableFromInline var _writerIndex: Int = 0
    public var writerIndex: Int { _writerIndex }

    public init(capacity: Int = 0) {
        self._capacity = 0
        if capacity > 0 { grow(to: capacity) }
    }

    deinit { free(_base) }

    // The accessors every codec and transport calls per field or per read are inlinable:
    // across modules, a call each was most of their cost.
    @inlinable public var readableCount: Int { _writerIndex - _readerIndex }
    @inlinable public var isEmpty: Bool { _writerIndex == _readerIndex }
    @inlinable public var writableCount: Int { _capacity - _writerIndex }

    /// The unread bytes. Valid until the buffer is next written to, compacted or released.
    @inlinable
    public var readableBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: _base.map { $0 + _readerIndex }, count: readableCount)
    }

    /// Space after the written bytes, for a read(2) to fill; follow with `didWrite`.
    @inlinable
    public var writableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: _base.map { $0 + _writerIndex }, count: writableCount)
    }

    /// Makes room for at least `count` more bytes after the writer index.
    @inlinable
    public func reserveWritable(_ count: Int) {
        guard writableCount < count else { return }
        growForWriting(count)
    }

    @usableFromInline
    func growForWriting(_ count: Int) {
        var newCapacity = Swift.max(_capacity, 256)
        while newCapacity - _writerIndex < count { newCapacity *= 2 }
        grow(to: newCapacity)
    }

    private func grow(to newCapacity: Int) {
        guard let grown = realloc(_base, newCapacity) else { fatalError("out of memory growing a buffer to \(newCapacity) bytes") }
        _base = grown
        _capacity = newCapacity
    }

    /// Records that `count` bytes were written into `writableBytes`.
    @inlinable
    public func didWrite(_ count: Int) {
        precondition(count >= 0 && count <= writableCount)
        _writerIndex += count
    }

    /// Marks `count` bytes as read. When everything is read the indices go back to zero,
    /// so a buffer that is drained as fast as it fills never needs compacting.
    public func consume(_ count: Int) {
        precondition(count >= 0 && count <= readableCount)
        _readerIndex += count
        if _readerIndex == _writerIndex {
            _readerIndex = 0
            _writerIndex = 0
        }
    }

    /// Moves the unread bytes to the front, so the space before them can be written again.
    public func compact() {
        guard _readerIndex > 0 else { return }
        let count = readableCount
        if count > 0, let _base { memmove(_base, _base + _readerIndex, count) }
        _readerIndex = 0
        _writerIndex = count
    }

    /// Forgets the contents; keeps the memory.
    @inlinable
    public func clear() {
        _readerIndex = 0
        _writerIndex = 0
    }

    /// Forgets the contents and gives the memory back.
    public func release() {
        free(_base)
        _base = nil
        _capacity = 0
        _readerIndex = 0
        _writerIndex = 0
    }

    /// Keeps the first `count` unread bytes and drops the rest.
    public func truncateReadable(to count: Int) {
        precondition(count >= 0 && count <= readableCount)
        _writerIndex = _readerIndex + count
    }

    // MARK: Appending

    @inlinable
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserveWritable(bytes.count)
        (_base! + _writerIndex).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        _writerIndex += bytes.count
    }

    @inlinable
    public func append(_ byte: UInt8) {
        reserveWritable(1)
        _base!.storeBytes(of: byte, toByteOffset: _writerIndex, as: UInt8.self)
        _writerIndex += 1
    }

    public func append(_ text: StaticString) {
        text.withUTF8Buffer { append(UnsafeRawBufferPointer($0)) }
    }

    /// A String's bytes. Labelled, so that a literal appended here takes the StaticString
    /// overload (a plain copy) rather than this one.
    public func append(string text: String) {
        text.withUTF8Bytes { append($0) }
    }

    public func append(_ bytes: some Collection<UInt8>) {
        if let done = bytes.withContiguousStorageIfAvailable({ append(UnsafeRawBufferPointer($0)) }) { return done }
        reserveWritable(bytes.count)
        var index = _writerIndex
        for byte in bytes {
            _base!.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            index += 1
        }
        _writerIndex = index
    }

    /// The decimal digits of a non-negative integer.
    public func appendDecimal(_ value: Int) {
        precondition(value >= 0)
        reserveWritable(20)
        _writerIndex += ASCIIDigits.write(UInt64(value), radix: 10, to: _base! + _writerIndex)
    }

    /// Lowercase hexadecimal digits (chunk sizes).
    public func appendHex(_ value: Int) {
        precondition(value >= 0)
        reserveWritable(16)
        _writerIndex += ASCIIDigits.write(UInt64(value), radix: 16, to: _base! + _writerIndex)
    }

    /// A copy of the unread bytes (for tests and diagnostics, not hot paths).
    public var readableArray: [UInt8] { Array(readableBytes) }
}
