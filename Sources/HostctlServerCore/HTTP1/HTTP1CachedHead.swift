import HostctlCore
import HostctlHTTP1

/// A cached response's head as HTTP/1.1 writes it, minus what each hit adds fresh (Age,
/// Connection, Date) and the blank line.
enum HTTP1CachedHead {
    static func render(reason: String?, fields: HTTPFields, bodyLength: Int, server: StaticString?) -> ByteBuffer {
        let head = ByteBuffer(capacity: 256)
        try? HTTP1ResponseWriter.writeHead(
            into: head, status: 200, reason: reason, fields: fields, framing: .contentLength(bodyLength),
            closeConnection: false, keepAliveHeader: false, date: nil, server: server
        )
        // Without the blank line: a hit appends its own fields, then it.
        if head.readableCount >= 2 { head.truncateReadable(to: head.readableCount - 2) }
        return head
    }
}
