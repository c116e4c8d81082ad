#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Responses: HEADERS (with CONTINUATION when the block is larger than the client's frame
/// size), DATA within the send windows, trailers, resets, and the end of a stream's life.
extension HTTP2ConnectionStateMachine {
    /// Writes a response head: `:status`, `fields` (names lowercased; the connection-specific ones
    /// HTTP/2 forbids, RFC 9113 §8.2.2, dropped as Kestrel drops them), then `content-length`,
    /// `date` and `server` when given. 1xx heads may precede the final one.
    ///
    /// Returns false, writing nothing, when the stream can no longer send (it was reset, or the
    /// connection failed): the driver drops the response. Throws, writing nothing, when a field
    /// is invalid.
    @discardableResult
    public func writeHeaders(
        _ streamID: HTTP2StreamID, status: Int, fields: HTTPFields, contentLength: Int? = nil,
        date: UnsafeRawBufferPointer? = nil, server: StaticString? = nil, endStream: Bool, output: ByteBuffer
    ) throws(HTTP2SerializationError) -> Bool {
        let informational = status < 200
        guard (100...999).contains(status), status != 101, !(informational && endStream) else {
            throw HTTP2SerializationError(.invalidStatus(status))
        }
        try Self.check(fields)
        guard phase != .closed, let index = streams.index(of: streamID), streams[index].localOpen else { return false }
        precondition(!streams[index].sentFinalHeaders, "the final response head of stream \(streamID) was already written")
        let start = beginHeaderBlock(output)
        encoder.encodeStatus(status, into: output)
        encode(fields, into: output)
        if let contentLength {
            var digits = DecimalDigits(contentLength)
            digits.withBytes { encoder.encode(nameIndex: HPACKStaticTable.contentLengthNameIndex, value: $0, indexing: .withoutIndexing, into: output) }
        }
        // The server's date changes once a second and is the same on every response in it:
        // indexed, it is one octet from the second response of each second on, where a literal
        // is 22 octets and a Huffman coding every time.
        if let date { encoder.encode(nameIndex: HPACKStaticTable.dateNameIndex, value: date, indexing: .incremental, into: output) }
        if let server { encoder.encode(nameIndex: HPACKStaticTable.serverNameIndex, value: Self.bytes(server), indexing: .incremental, into: output) }
        finishHeaderBlock(start, streamID, endStream: endStream, output: output)
        if !informational { streams[index].sentFinalHeaders = true }
        if endStream { streams.endLocal(index) }
        return true
    }

    /// Writes trailers (a HEADERS block with END_STREAM and no pseudo-header) after the body.
    @discardableResult
    public func writeTrailers(_ streamID: HTTP2StreamID, fields: HTTPFields, output: ByteBuffer) throws(HTTP2SerializationError) -> Bool {
        try Self.check(fields)
        guard phase != .closed, let index = streams.index(of: streamID), streams[index].localOpen else { return false }
        precondition(streams[index].sentFinalHeaders, "trailers before the response head of stream \(streamID)")
        let start = beginHeaderBlock(output)
        encode(fields, into: output)
        finishHeaderBlock(start, streamID, endStream: true, output: output)
        streams.endLocal(index)
        return true
    }

    /// Writes as much of `bytes` as the stream's and the connection's send windows allow, in
    /// DATA frames no larger than the client's SETTINGS_MAX_FRAME_SIZE, and returns how much that
    /// was. `endStream` is sent with the last byte, and only if every byte was written; with no
    /// bytes it is an empty DATA frame, which needs no window. The rest waits for `.windowOpened`
    /// or `.settingsChanged`: that is the backpressure to apply to the app. Returns 0 when the
    /// stream can no longer send.
    public func writeData(_ bytes: UnsafeRawBufferPointer, stream streamID: HTTP2StreamID, endStream: Bool, output: ByteBuffer) -> Int {
        guard phase != .closed, let index = streams.index(of: streamID), streams[index].localOpen else { return 0 }
        precondition(streams[index].sentFinalHeaders, "DATA before the response head of stream \(streamID)")
        let allowed = min(bytes.count, max(0, min(connectionSendWindow, streams[index].sendWindow)))
        let frameSize = peerSettings.maxFrameSize
        let ends = endStream && allowed == bytes.count
        var written = 0
        repeat {
            let count = min(allowed - written, frameSize)
            let last = written + count == allowed
            if count == 0 && !(last && ends) { break }
            output.reserveWritable(HTTP2FrameHeader.size + count)
            HTTP2DataFrame.writeHeader(streamID: streamID, count: count, endStream: last && ends, to: output)
            if count > 0 { output.append(UnsafeRawBufferPointer(rebasing: bytes[written..<(written + count)])) }
            written += count
        } while written < allowed
        connectionSendWindow -= written
        streams[index].sendWindow -= written
        if ends { streams.endLocal(index) }
        return written
    }

    /// What `writeData` would take for the stream now: the smaller of its window and the
    /// connection's (0 when the stream cannot send).
    public func sendWindow(for streamID: HTTP2StreamID) -> Int {
        guard phase != .closed, let index = streams.index(of: streamID), streams[index].localOpen else { return 0 }
        return max(0, min(connectionSendWindow, streams[index].sendWindow))
    }

    /// Resets a stream the driver gives up on (the app failed, a body was too large): RST_STREAM
    /// with `code` (CANCEL, INTERNAL_ERROR…). Nothing more is sent or delivered for it; call
    /// `streamFinished` once the app is done with it.
    public func resetStream(_ streamID: HTTP2StreamID, code: HTTP2ErrorCode, output: ByteBuffer) {
        guard phase != .closed, let index = streams.index(of: streamID), !streams[index].isReset else { return }
        HTTP2RSTStreamFrame.write(streamID: streamID, errorCode: code, to: output)
        streams.markReset(index, byClient: false)
    }

    /// The driver is done with a stream (response sent, or reset, and the app's work over): the
    /// state machine forgets it. A stream still open is closed on the way: a response that did not
    /// end is reset with INTERNAL_ERROR; a complete response whose request body is still arriving
    /// is followed by RST_STREAM NO_ERROR, which tells the client to stop sending (§8.1). Body
    /// bytes delivered and never consumed are credited back to the connection.
    public func streamFinished(_ streamID: HTTP2StreamID, output: ByteBuffer) {
        guard let index = streams.index(of: streamID) else { return }
        let record = streams[index]
        var resetByUs = record.resetByUs
        if phase != .closed && !record.isReset && record.isOpen {
            HTTP2RSTStreamFrame.write(streamID: streamID, errorCode: record.localOpen ? .internalError : .noError, to: output)
            resetByUs = true
        }
        closedStreams.record(streamID, resetByUs: resetByUs)
        streams.remove(at: index)
        creditConnection(record.unconsumed, output: output)
    }

    // MARK: Header blocks

    /// Leaves room for a frame header and starts the block (size updates owed); returns where
    /// the frame starts.
    private func beginHeaderBlock(_ output: ByteBuffer) -> Int {
        let start = output.writerIndex
        output.reserveWritable(HTTP2FrameHeader.size)
        output.didWrite(HTTP2FrameHeader.size)
        encoder.beginBlock(into: output)
        return start
    }

    /// Fills in the frame header written at `start`; a block larger than the client's frame size
    /// is cut into HEADERS and CONTINUATION frames, moving the fragments apart to make room for
    /// their headers (rare: blocks are usually far below 16 KiB).
    private func finishHeaderBlock(_ start: Int, _ streamID: HTTP2StreamID, endStream: Bool, output: ByteBuffer) {
        let blockLength = output.writerIndex - start - HTTP2FrameHeader.size
        let frameSize = peerSettings.maxFrameSize
        let flags: HTTP2FrameFlags = endStream ? .endStream : []
        guard blockLength > frameSize else {
            HTTP2FrameHeader.write(length: blockLength, type: .headers, flags: flags.union(.endHeaders), streamID: streamID, to: output.base! + start)
            return
        }
        let frames = (blockLength + frameSize - 1) / frameSize
        let extra = (frames - 1) * HTTP2FrameHeader.size
        output.reserveWritable(extra)
        output.didWrite(extra)
        let base = output.base! + start
        for frame in stride(from: frames - 1, through: 1, by: -1) {
            let count = min(frameSize, blockLength - frame * frameSize)
            let destination = base + frame * (frameSize + HTTP2FrameHeader.size)
            // Fragments move toward the end, overlapping where they were: memmove, last first.
            memmove(destination + HTTP2FrameHeader.size, base + HTTP2FrameHeader.size + frame * frameSize, count)
            HTTP2FrameHeader.write(
                length: count, type: .continuation, flags: frame == frames - 1 ? .endHeaders : [], streamID: streamID, to: destination
            )
        }
        HTTP2FrameHeader.write(length: frameSize, type: .headers, flags: flags, streamID: streamID, to: base)
    }

    /// The fields, lowercased, connection-specific ones left out, values trimmed of surrounding
    /// whitespace; checked beforehand by `check`.
    private func encode(_ fields: HTTPFields, into output: ByteBuffer) {
        for field in fields.fields {
            field.name.withUTF8Bytes { name in
                withLowercase(name) { name in
                    guard HTTP2FieldValidation.kind(of: name) != .connectionSpecific else { return }
                    field.value.withUTF8Bytes { value in encoder.encode(name: name, value: Self.trimmed(value), into: output) }
                }
            }
        }
    }

    /// `name`, or a lowercase copy of it (on the stack: apps write `Content-Type`, and every
    /// response would otherwise fold it through a heap buffer).
    @inline(__always)
    private func withLowercase(_ name: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard name.contains(where: { $0 &- 0x41 < 26 }) else { return body(name) }
        withUnsafeTemporaryAllocation(byteCount: name.count, alignment: 1) { copy in
            for index in 0..<name.count { copy[index] = ASCII.lowercase(name[index]) }
            body(UnsafeRawBufferPointer(copy))
        }
    }

    /// Names must be tokens (so no pseudo-header), values free of CR, LF and NUL.
    private static func check(_ fields: HTTPFields) throws(HTTP2SerializationError) {
        let token = HTTP2FieldValidation.nameCharacter | HTTP2FieldValidation.uppercase
        let problem = HTTP2FieldValidation.classes.withUnsafeBufferPointer { table -> HTTP2SerializationError? in
            let all = fields.fields
            for index in all.indices {
                // Read in place: copying each Field out would retain both of its Strings.
                let nameValid = all[index].name.withUTF8Bytes { name in
                    !name.isEmpty && name.allSatisfy { table[Int($0)] & token != 0 }
                }
                guard nameValid else { return HTTP2SerializationError(.invalidFieldName(all[index].name)) }
                let valueValid = all[index].value.withUTF8Bytes { !ASCII.containsLineBreakOrNUL($0) }
                guard valueValid else { return HTTP2SerializationError(.invalidFieldValue(name: all[index].name)) }
            }
            return nil
        }
        if let problem { throw problem }
    }

    private static func trimmed(_ value: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var start = 0
        var end = value.count
        while start < end && HTTP2FieldValidation.isWhitespace(value[start]) { start += 1 }
        while end > start && HTTP2FieldValidation.isWhitespace(value[end - 1]) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: value[start..<end])
    }

    @inline(__always)
    static func bytes(_ text: StaticString) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
    }
}

/// The decimal digits of a non-negative Int, on the stack.
struct DecimalDigits {
    private var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var start = 24

    init(_ value: Int) {
        precondition(value >= 0)
        var rest = value
        var position = 24
        withUnsafeMutableBytes(of: &digits) { out in
            repeat {
                position -= 1
                out[position] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
                rest /= 10
            } while rest > 0
        }
        start = position
    }

    mutating func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) {
        let start = start
        withUnsafeBytes(of: &digits) { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }
}
