// libFuzzer entry point for the chunked body decoder alone: any bytes must give body data, "need
// more" or an HTTP1ParseError, never a trap or a memory error, whatever the split of the input.
//
// The first input byte picks tiny trailer limits and the piece size; the rest is the body.

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
    let whole = decodeBody(Array(bytes), framing: .chunked, limits: limits, pieceSize: bytes.count + 1)
    precondition(decodeBody(Array(bytes), framing: .chunked, limits: limits, pieceSize: 1) == whole, "byte-at-a-time decoding differs")
    precondition(decodeBody(Array(bytes), framing: .chunked, limits: limits, pieceSize: 1 + Int(control >> 1)) == whole, "split decoding differs")
    return 0
}
