#if canImport(HostctlCore)
import HostctlCore
#endif

/// A decoded header block: every field's name and value side by side in one buffer, and for
/// each field the byte ranges of both. Decoding copies each field once, into this buffer;
/// Strings are made only of what someone reads (`name(at:)` and friends hand out bytes).
///
/// A class to be reused: `removeAll()` keeps the buffer and the field array, so a connection
/// that recycles its lists decodes without allocating once they have grown.
public final class HPACKHeaderList {
    public struct Field: Sendable, Equatable {
        /// Offsets into the list's storage.
        public var name: Range<Int>
        public var value: Range<Int>
        /// Sent as a never-indexed literal (RFC 7541 §6.2.3): whoever encodes this field again
        /// (a proxy) must keep it never-indexed, so it never lands in a compression table.
        public var isNeverIndexed: Bool
    }

    /// The fields, in order. Stored apart and read through an inlinable getter: another module
    /// reading a stored property directly pays a dynamic exclusivity check (the attribute is
    /// honoured only for accesses compiled in this module, inlined ones included).
    @inlinable public var fields: [Field] { _fields }
    @exclusivity(unchecked) @usableFromInline var _fields: [Field] = []
    @usableFromInline let storage = ByteBuffer()
    /// Names, values and 32 per field (the size SETTINGS_MAX_HEADER_LIST_SIZE counts, RFC 9113 §6.5.2).
    @exclusivity(unchecked) public private(set) var listSize = 0

    public init() {}

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// The name's bytes; valid until the list changes.
    @inlinable
    public func name(at index: Int) -> UnsafeRawBufferPointer { bytes(fields[index].name) }

    /// The value's bytes; valid until the list changes.
    @inlinable
    public func value(at index: Int) -> UnsafeRawBufferPointer { bytes(fields[index].value) }

    /// The bytes of `range` (a field's name or value).
    @inlinable
    public func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.readableBytes.baseAddress.map { $0 + range.lowerBound }, count: range.count)
    }

    public func string(_ range: Range<Int>) -> String { String(decoding: bytes(range), as: UTF8.self) }

    /// The fields as Strings, in order (tests and diagnostics, not hot paths).
    public var strings: [(name: String, value: String)] {
        fields.map { (string($0.name), string($0.value)) }
    }

    /// Empties the list, keeping its memory.
    public func removeAll() {
        _fields.removeAll(keepingCapacity: true)
        storage.clear()
        listSize = 0
    }

    /// Gives back the memory of a list that grew large, keeping it usable.
    public func releaseMemoryIfLarger(than bytes: Int) {
        if storage.capacity > bytes { storage.release() }
        if _fields.capacity > bytes / 32 { _fields = [] }
    }

    // MARK: Filling (the decoder)

    /// Where the next appended bytes will start.
    var end: Int { storage.readableCount }

    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        let start = end
        storage.append(bytes)
        return start..<end
    }

    /// Room for `count` more bytes, to be filled through `writableBytes` and committed with `didAppend`.
    @inline(__always)
    func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        storage.reserveWritable(max(count, 1))
        return storage.writableBytes.baseAddress!
    }

    @inline(__always)
    func didAppend(_ count: Int) -> Range<Int> {
        let start = end
        storage.didWrite(count)
        return start..<end
    }

    /// Room for a typical request's fields at once, where growing one by one would reallocate
    /// four times on a new list.
    @inline(__always)
    func reserveTypicalFieldCount() {
        if _fields.capacity < 16 { _fields.reserveCapacity(16) }
    }

    @inline(__always)
    func addField(name: Range<Int>, value: Range<Int>, neverIndexed: Bool) {
        _fields.append(Field(name: name, value: value, isNeverIndexed: neverIndexed))
        listSize += name.count + value.count + 32
    }

    /// Adds a field from bytes (building lists by hand: tests, trailers made by a proxy).
    public func append(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, neverIndexed: Bool = false) {
        let nameRange = append(name)
        let valueRange = append(value)
        addField(name: nameRange, value: valueRange, neverIndexed: neverIndexed)
    }

    public func append(name: String, value: String, neverIndexed: Bool = false) {
        var name = name
        var value = value
        name.withUTF8 { name in
            value.withUTF8 { value in
                append(name: UnsafeRawBufferPointer(name), value: UnsafeRawBufferPointer(value), neverIndexed: neverIndexed)
            }
        }
    }
}
