extension String {
    /// The string's UTF-8 bytes, in place when it keeps them contiguous (native and small
    /// strings: no copy, and no retain of a copied String), else through a copy. Always
    /// inlined: as a call, its closure context cost more than the copy it saves.
    @inlinable @inline(__always)
    public func withUTF8Bytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        if let result = utf8.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        var copy = self
        return copy.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
