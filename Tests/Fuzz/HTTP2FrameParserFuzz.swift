// libFuzzer entry point for the HTTP/2 frame parser: any bytes must split into frames, "need
// more" or an HTTP2Error, never a trap, a hang or a memory error; every payload must lie inside
// its frame; and a frame must parse the same whether its bytes arrived whole or in part.
//
// The first input byte picks the frame size limit; the rest is a run of frames.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2FrameParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let maxFrameSize = data[0] & 1 == 0 ? 16384 : 64
    let bytes = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    var offset = 0
    while offset < bytes.count {
        let rest = UnsafeRawBufferPointer(rebasing: bytes[offset...])
        let decoded: (frame: HTTP2Frame, length: Int)?
        do {
            decoded = try HTTP2FrameDecoder.decode(rest, maxFrameSize: maxFrameSize)
        } catch {
            // The same error from any longer prefix: errors do not depend on what follows.
            if rest.count > HTTP2FrameHeader.size {
                let header = HTTP2FrameHeader.read(rest.baseAddress!)
                let whole = min(rest.count, HTTP2FrameHeader.size + header.length)
                do {
                    _ = try HTTP2FrameDecoder.decode(UnsafeRawBufferPointer(rebasing: rest[..<whole]), maxFrameSize: maxFrameSize)
                    preconditionFailure("an error that depends on the bytes after the frame")
                } catch let again {
                    precondition(again == error)
                }
            }
            return 0
        }
        guard let (frame, length) = decoded else {
            // Every shorter prefix also needs more.
            for count in [0, rest.count / 2, max(0, rest.count - 1)] {
                precondition((try? HTTP2FrameDecoder.decode(UnsafeRawBufferPointer(rebasing: rest[..<count]), maxFrameSize: maxFrameSize)) == nil)
            }
            return 0
        }
        precondition(length >= HTTP2FrameHeader.size && length <= rest.count && length - HTTP2FrameHeader.size <= maxFrameSize)
        let frameBytes = UnsafeRawBufferPointer(rebasing: rest[..<length])
        func inside(_ part: UnsafeRawBufferPointer) {
            guard part.count > 0 else { return }
            precondition(part.baseAddress! >= frameBytes.baseAddress! + HTTP2FrameHeader.size && part.baseAddress! + part.count <= frameBytes.baseAddress! + length)
        }
        switch frame {
        case .data(let data):
            inside(data.data)
            precondition(data.flowControlledLength == length - HTTP2FrameHeader.size && data.data.count <= data.flowControlledLength)
        case .headers(let headers): inside(headers.fragment)
        case .continuation(let continuation): inside(continuation.fragment)
        case .pushPromise(let promise): inside(promise.fragment)
        case .goAway(let goAway): inside(goAway.debugData)
        case .settings(let settings):
            inside(settings.parameters)
            for index in 0..<settings.parameterCount { _ = settings.parameter(at: index) }
        case .windowUpdate(let update): precondition(update.increment > 0)
        case .priority, .rstStream, .ping, .unknown: break
        }
        // The frame whole, without what follows, parses the same.
        precondition((try? HTTP2FrameDecoder.decode(frameBytes, maxFrameSize: maxFrameSize))?.length == length)
        offset += length
    }
    return 0
}
