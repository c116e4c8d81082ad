extension RequestHeaders {
    /// Calls `body` with each field's name and value as bytes, in order, duplicates kept,
    /// without building Strings: straight from the server's buffer while the headers are as
    /// received. The bytes are valid only during the call.
    public func forEachField(_ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void) {
        switch storage {
        case .source(let source):
            for index in 0..<source.headerCount { source.withHeader(at: index, body) }
        case .fields(let fields):
            for field in fields {
                var name = field.name
                var value = field.value
                name.withUTF8 { name in value.withUTF8 { value in body(UnsafeRawBufferPointer(name), UnsafeRawBufferPointer(value)) } }
            }
        }
    }
}
