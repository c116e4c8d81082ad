// libFuzzer entry point for the HTTP/1.1 request head parser and body decoder: any bytes must
// give a head, "need more" or an HTTP1ParseError, never a trap, a hang or a memory error; and
// the answer must not depend on how the bytes were split across calls.
//
// The first input byte picks the options (bare LF allowed, tiny limits, byte-at-a-time feeding)
// and the split point; the rest is the request.

private enum HeadOutcome: Equatable {
    case complete(HTTP1RequestHead)
    case incomplete
    case failed(HTTP1ParseError.Reason)
}

private struct BodyOutcome: Equatable {
    var data: [UInt8] = []
    var consumed = 0
    var isComplete = false
    var trailers: [String] = []
    var error: HTTP1ParseError.Reason?
}

/// Feeds `bytes` to a fresh parser in calls ending at each of `ends` (the last being all of it).
private func parseHead(_ bytes: UnsafeRawBufferPointer, limits: HTTP1Limits, ends: [Int]) -> HeadOutcome {
    var parser = HTTP1RequestHeadParser(limits: limits)
    var head = HTTP1RequestHead()
    do {
        for end in ends where try parser.parse(UnsafeRawBufferPointer(rebasing: bytes[..<end]), into: &head) {
            checkRanges(head, count: bytes.count)
            return .complete(head)
        }
        return .incomplete
    } catch {
        return .failed(error.reason)
    }
}

/// Every range of a complete head lies inside the head.
private func checkRanges(_ head: HTTP1RequestHead, count: Int) {
    let inside = 0...head.length
    precondition(head.length > 0 && head.length <= count)
    func check(_ range: Range<Int>?) {
        guard let range else { return }
        precondition(inside.contains(range.lowerBound) && inside.contains(range.upperBound))
    }
    check(head.target)
    check(head.path)
    check(head.query)
    check(head.authority)
    check(head.host)
    for field in head.fields {
        check(field.name)
        check(field.value)
        precondition(!field.name.isEmpty && field.name.upperBound < field.value.lowerBound)
    }
    precondition(head.path.lowerBound >= head.target.lowerBound && head.path.upperBound <= head.target.upperBound)
}

/// Decodes `bytes` delivered in pieces of `pieceSize`, the way a connection would.
private func decodeBody(_ bytes: [UInt8], framing: HTTP1BodyFraming, limits: HTTP1Limits, pieceSize: Int) -> BodyOutcome {
    var decoder = HTTP1BodyDecoder(framing: framing, limits: limits)
    var pending: [UInt8] = []
    var outcome = BodyOutcome()
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + pieceSize)
        pending += bytes[offset..<end]
        offset = end
        decoding: while outcome.error == nil, !outcome.isComplete {
            let result = pending.withUnsafeBytes { raw in
                Result { () throws(HTTP1ParseError) in try decoder.decode(raw) }
            }
            switch result {
            case .failure(let error):
                outcome.error = error.reason
                outcome.consumed = 0  // how much framing preceded the error depends on the split
            case .success(let step):
                precondition(step.consumed >= 0 && step.consumed <= pending.count)
                if let data = step.data {
                    precondition(data.lowerBound >= 0 && data.upperBound <= step.consumed)
                    outcome.data += pending[data]
                }
                pending.removeFirst(step.consumed)
                outcome.consumed += step.consumed
                outcome.isComplete = step.isComplete
                if step.consumed == 0 && step.data == nil { break decoding }
            }
        }
        if outcome.error != nil || outcome.isComplete { break }
    } while offset < bytes.count
    if outcome.isComplete { outcome.trailers = decoder.trailers.map { "\($0.name): \($0.value)" } }
    return outcome
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1RequestParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var limits = HTTP1Limits()
    limits.allowsBareLineFeed = control & 1 != 0
    if control & 2 != 0 {
        limits.maxRequestLineSize = 24
        limits.maxRequestHeadersTotalSize = 40
        limits.maxRequestHeaderCount = 3
    }
    let split = Int(control >> 3) * bytes.count / 31
    let whole = parseHead(bytes, limits: limits, ends: [bytes.count])
    precondition(parseHead(bytes, limits: limits, ends: [split, bytes.count]) == whole, "split feeding differs")
    if control & 4 != 0 {
        precondition(parseHead(bytes, limits: limits, ends: Array(0...bytes.count)) == whole, "byte-at-a-time feeding differs")
    }
    guard case .complete(let head) = whole else { return 0 }
    let rest = Array(bytes[head.length...])
    let framing = head.framing == .chunked ? HTTP1BodyFraming.chunked : .contentLength(min(rest.count, 1000))
    let wholeBody = decodeBody(rest, framing: framing, limits: limits, pieceSize: rest.count + 1)
    precondition(decodeBody(rest, framing: framing, limits: limits, pieceSize: 1) == wholeBody, "byte-at-a-time body differs")
    precondition(decodeBody(rest, framing: framing, limits: limits, pieceSize: max(1, split)) == wholeBody, "split body differs")
    return 0
}
