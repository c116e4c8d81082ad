#if canImport(HostctlCore)
import HostctlCore
#endif

/// Writes response heads and chunked framing into a `ByteBuffer` (RFC 9112 §4, §7.1).
///
/// Everything the app supplies is checked as it is copied, and the bytes become part of the
/// buffer only once all checks passed: when something is invalid, nothing is written, so a
/// bad header can never split a response in two.
public enum HTTP1ResponseWriter {
    /// Writes "HTTP/1.1 <status> <reason>\r\n", then `fields` in order (each validated: the name
    /// must be a token, the value must not contain CR, LF or NUL), then the framing header, then
    /// "Connection: close" if closing, else "Connection: keep-alive" only if `keepAliveHeader`
    /// (HTTP/1.0 clients that asked for it, RFC 9112 §C.2.2), then "Date: <date>" if `date` is
    /// non-nil (29 bytes, see `HTTPDate`), then "Server: <server>" if `server` is non-nil, then
    /// the empty line.
    ///
    /// `status` must be in 100...999; a nil `reason` takes `HTTPStatus.reasonPhrase`, and the
    /// common status lines come from precomputed bytes. A reason holding CR, LF or NUL throws
    /// `invalidStatus`. `fields` should not carry the framing or Connection fields: this writes them.
    public static func writeHead(
        into buffer: ByteBuffer,
        status: Int,
        reason: String?,
        fields: HTTPFields,
        framing: HTTP1ResponseFraming,
        closeConnection: Bool,
        keepAliveHeader: Bool,
        date: UnsafeRawBufferPointer?,
        server: StaticString?
    ) throws(HTTP1SerializationError) {
        guard (100...999).contains(status) else { throw HTTP1SerializationError(.invalidStatus(status)) }
        let precomputedLine = reason == nil ? HTTP1StatusLine.precomputed(status) : nil
        let reasonPhrase = precomputedLine == nil ? reason ?? HTTPStatus.reasonPhrase(status) : ""

        // The exact size, give or take the framing line's digits.
        var size = precomputedLine?.utf8CodeUnitCount ?? (15 + reasonPhrase.utf8.count)
        let all = fields.fields
        for index in all.indices { size += all[index].name.utf8.count + all[index].value.utf8.count + 4 }
        size += 40  // "Content-Length: " and 20 digits, or "Transfer-Encoding: chunked", with CRLF
        size += 24  // "Connection: keep-alive\r\n"
        size += date.map { 8 + $0.count } ?? 0
        size += server.map { 10 + $0.utf8CodeUnitCount } ?? 0
        size += 2

        var out = HTTP1OutputCursor(reserving: size, in: buffer)
        if let precomputedLine {
            out.write(precomputedLine)
        } else {
            out.write("HTTP/1.1 ")
            out.writeDecimal(status)
            out.write(UInt8(ascii: " "))
            let reasonStart = out.count
            out.write(string: reasonPhrase)
            guard !ASCII.containsLineBreakOrNUL(out.written(from: reasonStart)) else { throw HTTP1SerializationError(.invalidStatus(status)) }
            out.write("\r\n")
        }
        try writeFields(fields, to: &out)
        switch framing {
        case .contentLength(let length):
            out.write("Content-Length: ")
            out.writeDecimal(length)
            out.write("\r\n")
        case .chunked:
            out.write("Transfer-Encoding: chunked\r\n")
        case .noBody, .closeDelimited:
            break
        }
        if closeConnection {
            out.write("Connection: close\r\n")
        } else if keepAliveHeader {
            out.write("Connection: keep-alive\r\n")
        }
        if let date {
            out.write("Date: ")
            out.write(date)
            out.write("\r\n")
        }
        if let server {
            out.write("Server: ")
            out.write(server)
            out.write("\r\n")
        }
        out.write("\r\n")
        out.commit(to: buffer)
    }

    /// One chunk: hex size, CRLF, data, CRLF (RFC 9112 §7.1). Empty data writes nothing,
    /// because an empty chunk is the last-chunk and would end the body.
    public static func writeChunk(into buffer: ByteBuffer, _ data: UnsafeRawBufferPointer) {
        guard data.count > 0 else { return }
        var out = HTTP1OutputCursor(reserving: data.count + 20, in: buffer)
        out.writeHex(data.count)
        out.write("\r\n")
        out.write(data)
        out.write("\r\n")
        out.commit(to: buffer)
    }

    /// A chunk whose data is sent apart from the buffer (a file region): its size line
    /// before the data, `writeChunkEnd` after it.
    public static func writeChunkStart(into buffer: ByteBuffer, length: Int) {
        precondition(length > 0, "a chunk of no bytes would end the body")
        var out = HTTP1OutputCursor(reserving: 20, in: buffer)
        out.writeHex(length)
        out.write("\r\n")
        out.commit(to: buffer)
    }

    public static func writeChunkEnd(into buffer: ByteBuffer) {
        buffer.append("\r\n")
    }

    /// "0\r\n", the trailer fields (validated like header fields, RFC 9112 §7.1.2), "\r\n".
    /// Writes nothing when a trailer is invalid.
    public static func writeLastChunk(into buffer: ByteBuffer, trailers: HTTPFields) throws(HTTP1SerializationError) {
        var size = 5
        for field in trailers { size += field.name.utf8.count + field.value.utf8.count + 4 }
        var out = HTTP1OutputCursor(reserving: size, in: buffer)
        out.write("0\r\n")
        try writeFields(trailers, to: &out)
        out.write("\r\n")
        out.commit(to: buffer)
    }

    /// "HTTP/1.1 100 Continue\r\n\r\n" (RFC 9110 §15.2.1), the interim answer to Expect: 100-continue.
    public static func writeContinue(into buffer: ByteBuffer) {
        buffer.append("HTTP/1.1 100 Continue\r\n\r\n")
    }

    /// "name: value\r\n" for each field, checking the bytes as they land.
    private static func writeFields(_ fields: HTTPFields, to out: inout HTTP1OutputCursor) throws(HTTP1SerializationError) {
        let all = fields.fields
        for index in all.indices {
            let nameStart = out.count
            out.write(string: all[index].name)
            guard HTTP1ByteClass.isToken(out.written(from: nameStart)) else { throw HTTP1SerializationError(.invalidFieldName(all[index].name)) }
            out.write(": ")
            let valueStart = out.count
            out.write(string: all[index].value)
            guard !ASCII.containsLineBreakOrNUL(out.written(from: valueStart)) else {
                throw HTTP1SerializationError(.invalidFieldValue(name: all[index].name))
            }
            out.write("\r\n")
        }
    }
}
