// libFuzzer entry point for the chunked body decoder alone: any bytes must give body data, "need
// more" or an HTTP1ParseError, never a trap or a memory error, whatever the split of the input.
//
// The first input byte picks tiny trailer limits and the piece size; the rest is the body.

private struct BodyOutcome: Equatable {
    var data: [UInt8] = []
    var consumed = 0
    var isComplete = false
    var trailers: [String] = []
    var error: HTTP1ParseError.Reason?
}

/// Decodes `bytes` delivered in pieces of `pieceSize`, the way a connection would.
private func decodeChunked(_ bytes: UnsafeRawBufferPointer, limits: HTTP1Limits, pieceSize: Int) -> BodyOutcome {
    var decoder = HTTP1BodyDecoder(framing: .chunked, limits: limits)
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
                precondition(step.isComplete == decoder.isComplete)
                if let data = step.data {
                    precondition(!data.isEmpty && data.lowerBound >= 0 && data.upperBound <= step.consumed)
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
public func fuzzHTTP1ChunkedDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var limits = HTTP1Limits()
    if control & 1 != 0 {
        limits.maxRequestHeaderCount = 2
        limits.maxRequestHeadersTotalSize = 32
    }
    let whole = decodeChunked(bytes, limits: limits, pieceSize: bytes.count + 1)
    precondition(decodeChunked(bytes, limits: limits, pieceSize: 1) == whole, "byte-at-a-time decoding differs")
    precondition(decodeChunked(bytes, limits: limits, pieceSize: 1 + Int(control >> 1)) == whole, "split decoding differs")
    return 0
}
