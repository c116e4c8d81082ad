import HostctlCore
import HostctlHTTP1
import HostctlHosting

/// The head of a request as the front sends it on to the app (ANCM's rules, design §6):
///
/// - the request line with the target as the client sent it, always HTTP/1.1;
/// - the client's fields in order, Host kept, minus the hop-by-hop ones, `Expect` (the front
///   answers 100-continue itself), the framing fields (rewritten from the body's framing) and
///   any client-sent `X-Forwarded-*` and pairing-token fields (rewritten below);
/// - `X-Forwarded-For`: the client's value(s), then `client-ip:port` ("[v6]:port"), one list;
/// - `X-Forwarded-Proto`: likewise, then the request's scheme; `X-Forwarded-Host`: the Host;
/// - the pairing token, which the app checks to know the request came through its front.
///
/// Field bytes are copied from the client's buffer as they are; nothing becomes a String.
///
/// An HTTP/2 extended CONNECT for a WebSocket (RFC 8441) goes as the HTTP/1.1 handshake
/// (RFC 6455 §4.1, `webSocketKey` set): `GET` to its :path, `Connection: Upgrade`,
/// `Upgrade: websocket` and the front's own `Sec-WebSocket-Key`; the client's
/// `sec-websocket-version`, `-protocol` and `-extensions` pass as any end-to-end field.
enum ForwardedRequestHead {
    /// Writes the head into `out`; `forwardedFor` and `forwardedProto` are scratch buffers
    /// (kept per connection, so composing the lists allocates nothing once they have grown).
    static func write(
        _ context: HTTPContext, endpoint: AppEndpoint, framing: HTTP1BodyFraming,
        forwardedFor: ByteBuffer, forwardedProto: ByteBuffer, webSocketKey: String? = nil, into out: ByteBuffer
    ) throws {
        let request = context.request
        var target = request.rawTarget
        let method = webSocketKey == nil ? request.method : .get
        try target.withUTF8 { try HTTP1RequestWriter.writeRequestLine(into: out, method: method, target: UnsafeRawBufferPointer($0)) }

        // First pass: what decides the second (Connection may come after the fields it names).
        var connectionOptions = ConnectionOptionNames()
        forwardedFor.clear()
        forwardedProto.clear()
        request.headers.forEachField { name, value in
            switch name.count {
            case 10 where HopByHopFields.isConnection(name):
                connectionOptions.add(listedIn: value)
            case 15 where ASCII.equalsLowercased(name, "x-forwarded-for"):
                appendListElement(value, to: forwardedFor)
            case 17 where ASCII.equalsLowercased(name, "x-forwarded-proto"):
                appendListElement(value, to: forwardedProto)
            default:
                break
            }
        }

        var failure: (any Error)?
        var hasHost = false
        request.headers.forEachField { name, value in
            guard failure == nil, passesThrough(name, connectionOptions) else { return }
            // The key is the front's to make on this hop (an HTTP/2 client has none to send).
            if webSocketKey != nil, name.count == 17, ASCII.equalsLowercased(name, "sec-websocket-key") { return }
            do {
                try HTTP1RequestWriter.writeField(into: out, name: name, value: value)
                if name.count == 4, ASCII.equalsLowercased(name, "host") {
                    hasHost = true
                    try HTTP1RequestWriter.writeField(into: out, name: "X-Forwarded-Host", value: value)
                }
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }

        if !hasHost {
            // An HTTP/1.0 client may send none; the app, spoken to in HTTP/1.1, needs one.
            let host = ByteBuffer()
            appendAddress(SocketAddress.ipv4Loopback.with(port: endpoint.port), to: host)
            try HTTP1RequestWriter.writeField(into: out, name: "Host", value: host.readableBytes)
        }
        switch context.connection.remoteEndpoint {
        case let client? where !client.isUnix:
            if !forwardedFor.isEmpty { forwardedFor.append(", ") }
            appendAddress(client, to: forwardedFor)
        default:
            break  // a Unix-socket client has no address to add
        }
        if !forwardedFor.isEmpty { try HTTP1RequestWriter.writeField(into: out, name: "X-Forwarded-For", value: forwardedFor.readableBytes) }
        if !forwardedProto.isEmpty { forwardedProto.append(", ") }
        forwardedProto.append(string: request.scheme)
        try HTTP1RequestWriter.writeField(into: out, name: "X-Forwarded-Proto", value: forwardedProto.readableBytes)
        var token = endpoint.token
        try token.withUTF8 { try HTTP1RequestWriter.writeField(into: out, name: tokenHeaderName, value: UnsafeRawBufferPointer($0)) }
        if var key = webSocketKey {
            func bytes(_ text: StaticString) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount) }
            try HTTP1RequestWriter.writeField(into: out, name: "Connection", value: bytes("Upgrade"))
            try HTTP1RequestWriter.writeField(into: out, name: "Upgrade", value: bytes("websocket"))
            try key.withUTF8 { try HTTP1RequestWriter.writeField(into: out, name: "Sec-WebSocket-Key", value: UnsafeRawBufferPointer($0)) }
        }
        HTTP1RequestWriter.writeFraming(into: out, framing)
        HTTP1RequestWriter.writeEndOfHead(into: out)
    }

    /// `FrontContract.tokenHeader`, as the literal the writer takes (checked in the tests).
    static let tokenHeaderName: StaticString = "x-hostctl-token"

    /// Whether a client field goes to the app as it is.
    private static func passesThrough(_ name: UnsafeRawBufferPointer, _ connectionOptions: ConnectionOptionNames) -> Bool {
        switch name.count {
        case 6 where ASCII.equalsLowercased(name, "expect"): return false
        case 14 where ASCII.equalsLowercased(name, "content-length"): return false
        case 15 where ASCII.equalsLowercased(name, "x-forwarded-for") || ASCII.equalsLowercased(name, "x-hostctl-token"): return false
        case 16 where ASCII.equalsLowercased(name, "x-forwarded-host"): return false
        case 17 where ASCII.equalsLowercased(name, "x-forwarded-proto"): return false
        default: break
        }
        if HopByHopFields.contains(name) { return false }
        return connectionOptions.isEmpty || !connectionOptions.contains(name)
    }

    /// Adds a value to a comma-separated list being built.
    static func appendListElement(_ value: UnsafeRawBufferPointer, to list: ByteBuffer) {
        guard !value.isEmpty else { return }
        if !list.isEmpty { list.append(", ") }
        list.append(value)
    }

    /// "ip:port", IPv6 bracketed ("[::1]:5000"), the port always (ANCM's X-Forwarded-For).
    static func appendAddress(_ address: SocketAddress, to buffer: ByteBuffer) {
        switch address {
        case .ipv4(let ip, let port):
            // Digits straight into the buffer: no String per request for the common case.
            buffer.appendDecimal(Int(ip >> 24))
            buffer.append(UInt8(ascii: "."))
            buffer.appendDecimal(Int(ip >> 16 & 0xFF))
            buffer.append(UInt8(ascii: "."))
            buffer.appendDecimal(Int(ip >> 8 & 0xFF))
            buffer.append(UInt8(ascii: "."))
            buffer.appendDecimal(Int(ip & 0xFF))
            buffer.append(UInt8(ascii: ":"))
            buffer.appendDecimal(Int(port))
        case .ipv6:
            buffer.append(string: address.description)
        case .unix:
            break
        }
    }
}

extension SocketAddress {
    fileprivate var isUnix: Bool { if case .unix = self { true } else { false } }
}
