import HostctlCore
import HostctlHTTP1
import HostctlServerCore

extension HTTP1Relay {
    /// Passes on what the app has sent so far: interim heads, the final head, body bytes
    /// while the client takes them; finishes the request when the response is complete.
    func relayResponse() {
        guard let app else { return }
        while phase == .exchanging {
            guard responseBody != nil else {
                let input = app.inbound.readableBytes
                let progress: HTTP1ResponseHeadParser.Progress
                do {
                    progress = try parser.parse(input, into: &app.responseHead)
                } catch {
                    return fail(.invalidResponse(error))
                }
                switch progress {
                case .needMore:
                    if let problem = appProblem(app) { return fail(problem) }
                    if app.inputEnded { return fail(.connectionLost(errno: nil)) }
                    return
                case .interim:
                    relayInterim(app.responseHead, input)
                    app.consume(app.responseHead.length)
                    parser.reset()
                case .complete:
                    guard startResponse(app.responseHead, input, app) else { return }
                    app.consume(app.responseHead.length)
                    if phase == .tunnel { return pumpTunnel() }
                }
                continue
            }
            if client.unsentOutput > client.responseBufferLimit {
                client.flushOutput()
                // The client is slower than the app: `clientOutputDrained` brings the next look,
                // and the app connection stops reading once its input is full. (A send that
                // went at once leaves room now.)
                if client.unsentOutput > client.responseBufferLimit { return }
            }
            let input = app.inbound.readableBytes
            let step: HTTP1BodyDecoder.Step
            do {
                step = try responseBody!.decode(input)
            } catch {
                return fail(.invalidResponse(error))
            }
            if bodyOutput == .asReceived {
                if step.consumed > 0 { client.output.append(UnsafeRawBufferPointer(rebasing: input[..<step.consumed])) }
            } else if let data = step.data, !data.isEmpty {
                writeBody(UnsafeRawBufferPointer(rebasing: input[data]))
            }
            app.consume(step.consumed)
            if step.isComplete { return completeResponse(app) }
            guard step.consumed == 0, step.data == nil else { continue }
            // Everything the app sent so far is used.
            if app.inputEnded {
                do {
                    try responseBody!.inputEnded()
                } catch {
                    return fail(.connectionLost(errno: nil))
                }
                return completeResponse(app)
            }
            if let problem = appProblem(app) { return fail(problem) }
            // A streamed response must stream: the client gets what there is now.
            return client.flushOutput()
        }
    }

    /// An interim head (100 Continue, 103 Early Hints) goes to the client as it is, minus
    /// hop-by-hop fields; an HTTP/1.0 client gets none (RFC 9110 §15.2).
    private func relayInterim(_ head: borrowing HTTP1ResponseHead, _ bytes: UnsafeRawBufferPointer) {
        guard clientVersion == .http1_1 else { return }
        RelayedResponseHead.write(head, bytes, framing: .asReceived, connection: .none, date: nil, into: client.output)
        client.interimResponseWritten(status: head.status)
        if head.status == 100 { awaitsContinue = false }
        client.flushOutput()
    }

    /// Writes the client's final head and sets up the body's relay; false when the exchange
    /// failed instead (a 101 nobody asked for).
    private func startResponse(_ head: borrowing HTTP1ResponseHead, _ bytes: UnsafeRawBufferPointer, _ app: AppConnection) -> Bool {
        app.deadline = nil
        if head.status == 101 {
            guard upgrade else {
                fail(.unexpectedSwitchingProtocols)
                return false
            }
            RelayedResponseHead.write(head, bytes, framing: .asReceived, connection: .upgrade, date: nil, into: client.output)
            client.responseStarted()
            client.upgradeToTunnel()
            client.flushOutput()
            phase = .tunnel
            return true
        }
        let framing = head.bodyFraming(requestMethod: method)
        appKeepsConnection = head.keepsConnection(framing: framing)
        if let transform = options.responseBodyTransform, HTTPStatus.allowsContent(head.status) {
            rewriter = transform.rewriter(status: head.status, fields: Self.fields(of: head, bytes), isHead: method == .head)
        }
        let toHTTP10 = clientVersion == .http1_0
        let clientFraming: RelayedResponseHead.Framing
        switch (framing, rewriter?.lengthChange) {
        case (.none, let change):
            // No body follows (HEAD): a rewritten body's length is still the GET's, changed.
            if let change, let length = head.contentLength { clientFraming = .length(length + change) } else { clientFraming = .asReceived }
            bodyOutput = .asReceived
            rewriter = nil
        case (.contentLength(let length), let change?) where rewriter != nil:
            clientFraming = .length(length + change)
            bodyOutput = .plain
        case (.contentLength, _) where rewriter == nil:
            clientFraming = .asReceived
            bodyOutput = .asReceived
        case (.chunked, _) where rewriter == nil && !toHTTP10:
            clientFraming = .asReceived
            bodyOutput = .asReceived
        default:
            // Rewritten with no length known, a body until the close, or chunks an HTTP/1.0
            // client cannot read: framed again.
            clientFraming = toHTTP10 ? .untilClose : .chunked
            bodyOutput = toHTTP10 ? .plain : .chunked
        }
        if clientFraming == .untilClose { client.closeAfterResponse() }
        let connection: RelayedResponseHead.ConnectionField = !client.keepsConnection ? .close : toHTTP10 ? .keepAlive : .none
        RelayedResponseHead.write(head, bytes, framing: clientFraming, connection: connection, date: client.date, into: client.output)
        client.responseStarted()
        responseBody = HTTP1ResponseBodyDecoder(framing: framing, limits: parser.limits)
        return true
    }

    /// Decoded body bytes to the client: through the rewriter, if any, then framed.
    private func writeBody(_ data: UnsafeRawBufferPointer) {
        if let rewriter {
            rewriter.feed(data) { writeFramed($0) }
        } else {
            writeFramed(data)
        }
    }

    private func writeFramed(_ piece: UnsafeRawBufferPointer) {
        if bodyOutput == .chunked {
            HTTP1ResponseWriter.writeChunk(into: client.output, piece)
        } else {
            client.output.append(piece)
        }
    }

    private func completeResponse(_ app: AppConnection) {
        rewriter?.finish { writeFramed($0) }
        if bodyOutput == .chunked {
            var trailers = HTTPFields()
            for (name, value) in responseBody?.trailers ?? [] where !HopByHopFields.contains(name) {
                trailers.append(name: name, value: value)
            }
            try? HTTP1ResponseWriter.writeLastChunk(into: client.output, trailers: trailers)
        }
        // Bytes after the response: the app and the front disagree about framing.
        let reusable = appKeepsConnection && requestSent && app.inbound.isEmpty
        finish(appConnectionReusable: reusable)
    }

    /// The app's fields as `HTTPFields`, for the response body transform (only asked when one
    /// is set: hostctl watch, in Development).
    private static func fields(of head: borrowing HTTP1ResponseHead, _ bytes: UnsafeRawBufferPointer) -> HTTPFields {
        var fields = HTTPFields()
        for field in head.fields {
            fields.append(
                name: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.name]), as: UTF8.self),
                value: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[field.value]), as: UTF8.self)
            )
        }
        return fields
    }
}
