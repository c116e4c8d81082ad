import HostctlCore
import HostctlHTTP1

extension ForwardedRequestHead {
    /// What the forwarding path adds to a head, besides the client's own fields.
    struct Additions {
        /// The client's address as X-Forwarded-For takes it ("ip:port"); empty for none.
        var client: UnsafeRawBufferPointer
        /// "http" or "https".
        var scheme: UnsafeRawBufferPointer
        /// The app run's `x-hostctl-token` line, CRLF included.
        var tokenLine: UnsafeRawBufferPointer
        /// The app's port, for the Host of a request that had none (HTTP/1.0).
        var appPort: UInt16
        /// Pass the upgrade on: keep Upgrade, and say `Connection: upgrade`.
        var upgrade: Bool
    }

    /// The same head as `write(_:endpoint:…)`, written in one pass from the client's parsed
    /// head and its bytes rather than from an `HTTPContext`: the request line with the target
    /// as sent and HTTP/1.1; the client's field lines copied as they came, whole runs at a
    /// time, minus the hop-by-hop ones (and those its Connection names), its X-Forwarded-*
    /// and token fields, and Transfer-Encoding; then the added fields, and the framing of a
    /// chunked body (a Content-Length line is the client's, passed on).
    ///
    /// The parser has checked every byte of the lines copied (no CR, LF or NUL inside, a token
    /// name), so nothing is checked again. `forwardedFor` and `forwardedProto` are scratch
    /// buffers for merging the client's own lists.
    static func write(
        parsed head: borrowing HTTP1RequestHead, _ bytes: UnsafeRawBufferPointer, adding additions: Additions,
        forwardedFor: ByteBuffer, forwardedProto: ByteBuffer, into out: ByteBuffer
    ) {
        let base = bytes.baseAddress!
        func range(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
        }
        out.reserveWritable(bytes.count + additions.tokenLine.count + 160)

        // "METHOD SP target", then the version the front speaks.
        let method = head.method
        out.append(range((head.target.lowerBound - 1 - method.byteCount)..<head.target.upperBound))
        out.appendLiteral(" HTTP/1.1\r\n")

        let connectionNames = head.connectionNamesFields ? ConnectionOptionNames(listedIn: head, base) : nil
        let copiesLines = !head.hasBareLineFeeds
        let keepsLength: Bool
        if case .contentLength = head.framing { keepsLength = true } else { keepsLength = false }
        forwardedFor.clear()
        forwardedProto.clear()
        var run = -1  // where the run of kept lines being gathered starts
        let fields = head.fields
        for index in fields.indices {
            let field = fields[index]
            let name = range(field.name)
            let kept: Bool
            switch RequestField(name) {
            case .other: kept = connectionNames.map { !$0.contains(name) } ?? true
            case .hopByHop: kept = false
            case .upgrade: kept = additions.upgrade
            case .contentLength: kept = keepsLength
            case .expect: kept = head.version == .http1_1  // an HTTP/1.0 client waits for no 100
            case .forwardedFor:
                appendListElement(range(field.value), to: forwardedFor)
                kept = false
            case .forwardedProto:
                appendListElement(range(field.value), to: forwardedProto)
                kept = false
            }
            if !copiesLines {
                if kept { writeLine(name, range(field.value), into: out) }
            } else if kept {
                if run < 0 { run = field.name.lowerBound }
            } else if run >= 0 {
                out.append(range(run..<field.name.lowerBound))
                run = -1
            }
        }
        // The last line ends where the final CRLF starts.
        if run >= 0 { out.append(range(run..<(head.length - 2))) }

        if let host = head.host {
            out.appendLiteral("X-Forwarded-Host: ")
            out.append(range(host))
            out.appendLiteral("\r\n")
        } else {
            // An HTTP/1.0 client may send none; the app, spoken to in HTTP/1.1, needs one.
            out.appendLiteral("Host: 127.0.0.1:")
            out.appendDecimal(Int(additions.appPort))
            out.appendLiteral("\r\n")
        }
        if !forwardedFor.isEmpty || !additions.client.isEmpty {
            out.appendLiteral("X-Forwarded-For: ")
            out.append(forwardedFor.readableBytes)
            if !forwardedFor.isEmpty, !additions.client.isEmpty { out.appendLiteral(", ") }
            out.append(additions.client)
            out.appendLiteral("\r\n")
        }
        out.appendLiteral("X-Forwarded-Proto: ")
        if !forwardedProto.isEmpty {
            out.append(forwardedProto.readableBytes)
            out.appendLiteral(", ")
        }
        out.append(additions.scheme)
        out.appendLiteral("\r\n")
        out.append(additions.tokenLine)
        if head.framing == .chunked { out.appendLiteral("Transfer-Encoding: chunked\r\n") }
        if additions.upgrade { out.appendLiteral("Connection: upgrade\r\n") }
        out.appendLiteral("\r\n")
    }

    /// "name: value CRLF", for a head whose own lines cannot be copied.
    private static func writeLine(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, into out: ByteBuffer) {
        out.append(name)
        out.appendLiteral(": ")
        out.append(value)
        out.appendLiteral("\r\n")
    }

    /// What the forwarded head does with each of the client's fields.
    private enum RequestField {
        case other, hopByHop, upgrade, contentLength, expect, forwardedFor, forwardedProto

        init(_ name: UnsafeRawBufferPointer) {
            switch FrontFieldName(name) {
            case .upgrade: self = .upgrade
            case .contentLength: self = .contentLength
            case .expect: self = .expect
            case .forwardedFor: self = .forwardedFor
            case .forwardedProto: self = .forwardedProto
            // The client's X-Forwarded-Host is replaced by the front's, and its token dropped.
            case .te, .trailer, .connection, .keepAlive, .proxyConnection, .transferEncoding, .proxyAuthorization, .forwardedHost, .token:
                self = .hopByHop
            case .proxyAuthenticate, .date, .other: self = .other
            }
        }
    }
}

extension ConnectionOptionNames {
    /// The names listed in a parsed head's Connection fields.
    init(listedIn head: borrowing HTTP1RequestHead, _ base: UnsafeRawPointer) {
        self.init()
        for field in head.fields where field.name.count == 10 {
            let name = UnsafeRawBufferPointer(start: base + field.name.lowerBound, count: field.name.count)
            if HopByHopFields.isConnection(name) {
                add(listedIn: UnsafeRawBufferPointer(start: base + field.value.lowerBound, count: field.value.count))
            }
        }
    }
}

extension HTTPMethod {
    /// The method's length in bytes, as it appears on the request line.
    var byteCount: Int {
        switch self {
        case .get, .put: 3
        case .post, .head: 4
        case .patch, .trace: 5
        case .delete: 6
        case .options, .connect: 7
        case .other(let name): name.utf8.count
        }
    }
}
