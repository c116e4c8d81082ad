extension RequestHeaders {
    /// Calls `body` with each field's name and value as bytes, in order, duplicates kept,
    /// without building Strings: straight from the server's buffer while the headers are as
    /// received. The bytes are valid only during the call. A hidden field is not offered.
    public func forEachField(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        for index in 0..<rawCount where index != hiddenIndex { withField(at: index, body) }
    }
}
