// Shared by the HTTP/1 fuzz targets (run.sh compiles it into each): decoding a body the
// way a connection would, in pieces, so whole and split deliveries can be compared.

struct BodyOutcome: Equatable {
    var data: [UInt8] = []
    var consumed = 0
    var isComplete = false
    var trailers: [String] = []
    var error: HTTP1ParseError.Reason?
}

/// Decodes `bytes` delivered in pieces of `pieceSize`, the way a connection would.
func decodeBody(_ bytes: [UInt8], framing: HTTP1BodyFraming, limits: HTTP1Limits, pieceSize: Int) -> BodyOutcome {
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

