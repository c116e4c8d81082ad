// libFuzzer entry point for the HTTP/1.1 response head parser and response body decoder (the
// front reading its app): any bytes must give a head, "need more" or an
// HTTP1ResponseParseError, never a trap, a hang or a memory error; interim heads must be
// skipped the same way; and the answer must not depend on how the bytes were split.
//
// The first input byte picks the options (a tiny head limit, byte-at-a-time feeding, the
// request method HEAD) and the split point; the rest is the response.

private enum ResponseOutcome: Equatable {
    case complete(HTTP1ResponseHead, start: Int, interim: [Int])
    case incomplete(interim: [Int])
    case failed(HTTP1ResponseParseError.Reason)
}

/// Feeds `bytes` to a fresh parser in calls ending at each of `ends` (the last being all of it),
/// skipping interim heads as a client does.
private func parseResponse(_ bytes: UnsafeRawBufferPointer, limits: HTTP1ResponseLimits, ends: [Int]) -> ResponseOutcome {
    var parser = HTTP1ResponseHeadParser(limits: limits)
    var head = HTTP1ResponseHead()
    var start = 0
    var interim: [Int] = []
    do {
        for end in ends {
            while start <= end {
                switch try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<end]), into: &head) {
                case .needMore:
                    break
                case .interim:
                    checkRanges(head, count: end - start)
                    interim.append(head.status)
                    start += head.length
                    parser.reset()
                    continue
                case .complete:
                    checkRanges(head, count: end - start)
                    return .complete(head, start: start, interim: interim)
                }
                break
            }
        }
        return .incomplete(interim: interim)
    } catch {
        return .failed(error.reason)
    }
}

/// Every range of a complete head lies inside the head, and the head within its limit.
private func checkRanges(_ head: HTTP1ResponseHead, count: Int) {
    precondition(head.length > 0 && head.length <= count)
    precondition((100...999).contains(head.status))
    let inside = 0...head.length
    precondition(inside.contains(head.reason.lowerBound) && inside.contains(head.reason.upperBound))
    for field in head.fields {
        precondition(inside.contains(field.name.lowerBound) && inside.contains(field.value.upperBound))
        precondition(!field.name.isEmpty && field.name.upperBound < field.value.lowerBound)
    }
}

private struct ResponseBodyOutcome: Equatable {
    var data: [UInt8] = []
    var isComplete = false
    var trailers: [String] = []
    var error: HTTP1ResponseParseError.Reason?
}

/// Decodes a response body delivered in pieces of `pieceSize`, then the connection's end.
private func decodeResponseBody(_ bytes: [UInt8], framing: HTTP1ResponseBodyFraming, pieceSize: Int) -> ResponseBodyOutcome {
    var decoder = HTTP1ResponseBodyDecoder(framing: framing)
    var pending: [UInt8] = []
    var outcome = ResponseBodyOutcome()
    var offset = 0
    do throws(HTTP1ResponseParseError) {
        repeat {
            let end = min(bytes.count, offset + pieceSize)
            pending += bytes[offset..<end]
            offset = end
            while !decoder.isComplete {
                let result = pending.withUnsafeBytes { raw in Result { () throws(HTTP1ResponseParseError) in try decoder.decode(raw) } }
                let step = try result.get()
                precondition(step.consumed >= 0 && step.consumed <= pending.count)
                if let data = step.data {
                    precondition(data.upperBound <= step.consumed)
                    outcome.data += pending[data]
                }
                pending.removeFirst(step.consumed)
                if step.consumed == 0 && step.data == nil { break }
            }
        } while offset < bytes.count
        try decoder.inputEnded()
    } catch {
        outcome.error = error.reason
        return outcome
    }
    outcome.isComplete = decoder.isComplete
    outcome.trailers = decoder.trailers.map { "\($0.name): \($0.value)" }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1ResponseParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var limits = HTTP1ResponseLimits()
    if control & 1 != 0 { limits.maxHeadSize = 48 }
    let split = Int(control >> 3) * bytes.count / 31
    let whole = parseResponse(bytes, limits: limits, ends: [bytes.count])
    precondition(parseResponse(bytes, limits: limits, ends: [split, bytes.count]) == whole, "split feeding differs")
    if control & 2 != 0 {
        precondition(parseResponse(bytes, limits: limits, ends: Array(0...bytes.count)) == whole, "byte-at-a-time feeding differs")
    }
    guard case .complete(let head, let start, _) = whole else { return 0 }
    let rest = Array(bytes[(start + head.length)...])
    let framing = head.bodyFraming(requestMethod: control & 4 != 0 ? .head : .get)
    _ = head.keepsConnection(framing: framing)
    let wholeBody = decodeResponseBody(rest, framing: framing, pieceSize: rest.count + 1)
    precondition(decodeResponseBody(rest, framing: framing, pieceSize: 1) == wholeBody, "byte-at-a-time body differs")
    precondition(decodeResponseBody(rest, framing: framing, pieceSize: max(1, split)) == wholeBody, "split body differs")
    return 0
}
