import HostctlCore
import HostctlHTTP1

/// The app's response head as the front passes it to its client, written in one pass from
/// the parsed head and its bytes: the status line as the app sent it (the version the
/// front's), the app's field lines copied as they came, whole runs at a time, minus the
/// hop-by-hop ones (RFC 9110 §7.6.1, and those its Connection names), then the framing and
/// Connection fields of the client's hop and a Date when the app sent none (RFC 9110 §6.6.1:
/// a proxy adds one). The parser required CRLF and checked every byte, so the lines copy as
/// they are.
enum RelayedResponseHead {
    /// How the client's copy of the body is framed.
    enum Framing: Equatable {
        /// As the app framed it: its Content-Length or Transfer-Encoding lines pass on, and
        /// the body is relayed as received. Also for heads without a body (1xx, HEAD, 204, 304).
        case asReceived
        /// The front's own length (the app's, changed by a body transform).
        case length(Int)
        /// The front chunks the body.
        case chunked
        /// No framing field: the body runs until the front closes the connection.
        case untilClose
    }

    /// What the head says about the client's connection.
    enum ConnectionField {
        /// Nothing: it stays open (HTTP/1.1), or an interim head.
        case none
        case close
        /// "keep-alive", for an HTTP/1.0 client whose connection stays open.
        case keepAlive
        /// A 101: the Upgrade field passes on with `Connection: upgrade`.
        case upgrade
    }

    static func write(
        _ head: borrowing HTTP1ResponseHead, _ bytes: UnsafeRawBufferPointer, framing: Framing, connection: ConnectionField,
        date: UnsafeRawBufferPointer?, into out: ByteBuffer
    ) {
        let base = bytes.baseAddress!
        func range(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
        }
        out.reserveWritable(head.length + 96)
        // " 200 OK\r\n" after the version, whatever the app's version was.
        out.appendLiteral("HTTP/1.1")
        out.append(range(8..<(head.reason.upperBound + 2)))

        let connectionNames = head.connectionNamesFields ? ConnectionOptionNames(listedIn: head, base) : nil
        let keepsFraming = framing == .asReceived
        var hasDate = false
        var run = -1  // where the run of kept lines being gathered starts
        let fields = head.fields
        for index in fields.indices {
            let field = fields[index]
            let name = range(field.name)
            let kept: Bool
            switch ResponseField(name) {
            case .other: kept = connectionNames.map { !$0.contains(name) } ?? true
            case .hopByHop: kept = false
            case .upgrade: kept = connection == .upgrade
            case .framing: kept = keepsFraming
            case .date:
                hasDate = true
                kept = true
            }
            if kept {
                if run < 0 { run = field.name.lowerBound }
            } else if run >= 0 {
                out.append(range(run..<field.name.lowerBound))
                run = -1
            }
        }
        if run >= 0 { out.append(range(run..<(head.length - 2))) }

        switch framing {
        case .asReceived, .untilClose:
            break
        case .length(let length):
            out.appendLiteral("Content-Length: ")
            out.appendDecimal(length)
            out.appendLiteral("\r\n")
        case .chunked:
            out.appendLiteral("Transfer-Encoding: chunked\r\n")
        }
        switch connection {
        case .none: break
        case .close: out.appendLiteral("Connection: close\r\n")
        case .keepAlive: out.appendLiteral("Connection: keep-alive\r\n")
        case .upgrade: out.appendLiteral("Connection: upgrade\r\n")
        }
        if let date, !hasDate {
            out.appendLiteral("Date: ")
            out.append(date)
            out.appendLiteral("\r\n")
        }
        out.appendLiteral("\r\n")
    }

    /// What the relayed head does with each of the app's fields.
    private enum ResponseField {
        case other, hopByHop, upgrade, framing, date

        init(_ name: UnsafeRawBufferPointer) {
            switch FrontFieldName(name) {
            case .upgrade: self = .upgrade
            case .contentLength, .transferEncoding: self = .framing
            case .date: self = .date
            case .te, .trailer, .connection, .keepAlive, .proxyConnection, .proxyAuthenticate: self = .hopByHop
            case .proxyAuthorization, .expect, .forwardedFor, .forwardedProto, .forwardedHost, .token, .other: self = .other
            }
        }
    }
}

extension ByteBuffer {
    /// Appends a literal's bytes (a plain `append("…")` takes the String overload).
    @inline(__always)
    func appendLiteral(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension ConnectionOptionNames {
    /// The names listed in a parsed response head's Connection fields.
    init(listedIn head: borrowing HTTP1ResponseHead, _ base: UnsafeRawPointer) {
        self.init()
        for field in head.fields where field.name.count == 10 {
            let name = UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count)
            if HopByHopFields.isConnection(name) {
                add(listedIn: UnsafeRawBufferPointer(start: base + field.value.lowerBound, count: field.value.count))
            }
        }
    }
}
