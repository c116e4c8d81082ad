#if canImport(HostctlCore)
import HostctlCore
#endif

/// Writes request heads into a `ByteBuffer` (RFC 9112 §3, §5), for the client side: the front
/// forwarding a request to the app. Pieces are written in order (request line, fields, framing,
/// end of head), each checked as it is copied, so a value holding CR or LF can never split the
/// forwarded request in two. A piece that fails a check writes nothing.
///
/// ```swift
/// try HTTP1RequestWriter.writeRequestLine(into: buffer, method: .get, target: target)
/// try HTTP1RequestWriter.writeField(into: buffer, name: name, value: value)
/// HTTP1RequestWriter.writeFraming(into: buffer, .contentLength(5))
/// HTTP1RequestWriter.writeEndOfHead(into: buffer)
/// ```
/// Body chunks and the last chunk use `HTTP1ResponseWriter.writeChunk` and `writeLastChunk`:
/// chunked framing is the same both ways.
public enum HTTP1RequestWriter {
    /// "METHOD SP request-target SP HTTP/1.1 CRLF". The method must be a token; the target
    /// must be non-empty VCHAR.
    public static func writeRequestLine(into buffer: ByteBuffer, method: HTTPMethod, target: UnsafeRawBufferPointer) throws(HTTP1SerializationError) {
        let name = method.rawValue
        var out = HTTP1OutputCursor(reserving: name.utf8.count + target.count + 12, in: buffer)
        out.write(string: name)
        guard HTTP1ByteClass.isToken(out.written(from: 0)) else { throw HTTP1SerializationError(.invalidMethod(name)) }
        out.write(UInt8(ascii: " "))
        guard !target.isEmpty, HTTP1ByteClass.isVisible(target) else { throw HTTP1SerializationError(.invalidRequestTarget) }
        out.write(target)
        out.write(" HTTP/1.1\r\n")
        out.commit(to: buffer)
    }

    /// "name: value CRLF". The name must be a token; the value must not hold CR, LF or NUL.
    public static func writeField(into buffer: ByteBuffer, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws(HTTP1SerializationError) {
        guard HTTP1ByteClass.isToken(name) else { throw HTTP1SerializationError(.invalidFieldName(String(decoding: name, as: UTF8.self))) }
        guard !ASCII.containsLineBreakOrNUL(value) else {
            throw HTTP1SerializationError(.invalidFieldValue(name: String(decoding: name, as: UTF8.self)))
        }
        var out = HTTP1OutputCursor(reserving: name.count + value.count + 4, in: buffer)
        out.write(name)
        out.write(": ")
        out.write(value)
        out.write("\r\n")
        out.commit(to: buffer)
    }

    /// A field whose name is a literal the caller knows to be a token.
    public static func writeField(into buffer: ByteBuffer, name: StaticString, value: UnsafeRawBufferPointer) throws(HTTP1SerializationError) {
        try writeField(into: buffer, name: UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), value: value)
    }

    /// The framing field for a body (RFC 9112 §6.1–§6.2): "Content-Length: n" or
    /// "Transfer-Encoding: chunked"; nothing for `.none`.
    public static func writeFraming(into buffer: ByteBuffer, _ framing: HTTP1BodyFraming) {
        switch framing {
        case .none:
            break
        case .contentLength(let length):
            var out = HTTP1OutputCursor(reserving: 40, in: buffer)
            out.write("Content-Length: ")
            out.writeDecimal(length)
            out.write("\r\n")
            out.commit(to: buffer)
        case .chunked:
            buffer.append("Transfer-Encoding: chunked\r\n")
        }
    }

    /// The empty line that ends the head.
    public static func writeEndOfHead(into buffer: ByteBuffer) {
        buffer.append("\r\n")
    }
}
