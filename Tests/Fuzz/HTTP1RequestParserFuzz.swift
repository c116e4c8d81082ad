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
