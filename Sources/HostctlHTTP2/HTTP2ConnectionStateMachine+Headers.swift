#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// HEADERS and CONTINUATION: header blocks, new streams, trailers (RFC 9113 §4.3, §5.1, §6.2,
/// §6.10, §8.1).
extension HTTP2ConnectionStateMachine {
    func receiveHeaders(_ frame: HTTP2HeadersFrame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        guard frame.streamID.isClientInitiated else { throw HTTP2Error(.evenStreamID(.headers), streamID: frame.streamID) }
        guard frame.fragment.count <= limits.maxHeaderBlockSize else {
            throw HTTP2Error(.headerBlockTooLarge(limit: limits.maxHeaderBlockSize), streamID: frame.streamID)
        }
        if frame.endHeaders {
            // The common case: the whole block in one frame, decoded where it lies.
            return try completeHeaderBlock(frame.streamID, endStream: frame.endStream, priority: frame.priority, frame.fragment, output: output)
        }
        if frame.fragment.isEmpty { try countEmptyFrame() }
        headerBlock = HeaderBlock(streamID: frame.streamID, endStream: frame.endStream, priority: frame.priority, startedAt: now)
        headerBlockBuffer.clear()
        headerBlockBuffer.append(frame.fragment)
        return nil
    }

    func receiveContinuation(_ frame: HTTP2ContinuationFrame, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        // Contiguity was checked on the frame header: a block is in progress on this stream or none is.
        guard var block = headerBlock else { throw HTTP2Error(.continuationWithoutHeaders, streamID: frame.streamID) }
        block.continuations += 1
        guard block.continuations <= limits.maxContinuationFrames else {
            throw HTTP2Error(.tooManyContinuationFrames(limit: limits.maxContinuationFrames), streamID: frame.streamID)
        }
        guard headerBlockBuffer.readableCount + frame.fragment.count <= limits.maxHeaderBlockSize else {
            throw HTTP2Error(.headerBlockTooLarge(limit: limits.maxHeaderBlockSize), streamID: frame.streamID)
        }
        if frame.fragment.isEmpty && !frame.endHeaders { try countEmptyFrame() }
        headerBlockBuffer.append(frame.fragment)
        guard frame.endHeaders else {
            headerBlock = block
            return nil
        }
        headerBlock = nil
        defer { headerBlockBuffer.clear() }
        return try completeHeaderBlock(block.streamID, endStream: block.endStream, priority: block.priority, headerBlockBuffer.readableBytes, output: output)
    }

    /// A whole header block has arrived. It is decoded whatever becomes of its stream: the HPACK
    /// table is the connection's (§4.3).
    private func completeHeaderBlock(
        _ id: HTTP2StreamID, endStream: Bool, priority: HTTP2Priority?, _ block: UnsafeRawBufferPointer, output: ByteBuffer
    ) throws(HTTP2Error) -> HTTP2Event? {
        if let index = streams.index(of: id) {
            return try receiveTrailers(index, endStream: endStream, block, output: output)
        }
        if id <= highestStreamID {
            try discard(block)
            switch closedStreams.lookup(id) {
            case true?: return nil  // we reset it: frames in flight are ignored (§5.1)
            case false?: throw HTTP2Error(.streamClosed(.headers), streamID: id)
            case nil: throw HTTP2Error(.streamIDBelowPrevious(.headers), streamID: id)
            }
        }
        highestStreamID = id
        if case .final(let lastStreamID) = shutdown, id > lastStreamID {
            try discard(block)  // after our final GOAWAY: ignored, the client retries elsewhere (§6.8)
            return nil
        }
        if priority?.dependency == id {
            try discard(block)
            return try refuse(id, .stream(.streamSelfDependency(.headers), id), output: output)
        }
        if streams.count >= limits.maxTrackedStreams {
            // Rapid Reset: the client resets streams faster than the app finishes them.
            try discard(block)
            guard refusalBudget.take() else { throw HTTP2Error(.tooManyRefusedStreams) }
            return try refuse(id, .stream(.tooManyUnfinishedStreams, id), output: output)
        }
        if streams.openCount >= limits.maxStreamsPerConnection {
            try discard(block)
            return try refuse(id, .stream(.maxStreamsReached, id), output: output)
        }

        let head = spareHeads.popLast() ?? HTTP2RequestHead()
        head.prepareForReuse()
        try decode(block, into: head.fields)
        do throws(HTTP2Error) {
            try validator.validate(head)
            if endStream, let length = head.contentLength, length > 0 { throw HTTP2Error(.lessDataThanContentLength) }
        } catch {
            recycle(head)
            if error.reason == .tooManyHeaders { throw HTTP2Error(.tooManyHeaders, streamID: id) }
            return try refuse(id, .stream(error.reason, id), output: output)
        }
        streams.append(HTTP2StreamRecord(
            id: id, remoteOpen: !endStream, sendWindow: peerSettings.initialWindowSize,
            receiveWindow: limits.initialStreamWindowSize, expectedLength: head.contentLength ?? -1
        ))
        return .requestHead(id, head, endStream: endStream)
    }

    /// A second block on a stream: trailers if the stream's request is still arriving.
    private func receiveTrailers(_ index: Int, endStream: Bool, _ block: UnsafeRawBufferPointer, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        let record = streams[index]
        let id = record.id
        guard !record.resetByUs else {
            try discard(block)
            return nil
        }
        guard !record.resetByClient else {
            try discard(block)
            return try streamError(.stream(.frameAfterReset(.headers), id), output: output)
        }
        guard record.remoteOpen else {
            try discard(block)
            return try streamError(.stream(.streamHalfClosedRemote(.headers), id), output: output)
        }
        let trailers = spareLists.popLast() ?? HPACKHeaderList()
        trailers.removeAll()
        try decode(block, into: trailers)
        do throws(HTTP2Error) {
            guard endStream else { throw HTTP2Error(.trailersWithoutEndStream) }
            try validator.validateTrailers(trailers)
            if record.expectedLength >= 0 && record.receivedLength != record.expectedLength {
                throw HTTP2Error(.lessDataThanContentLength)
            }
        } catch {
            recycle(trailers)
            if error.reason == .tooManyHeaders { throw HTTP2Error(.tooManyHeaders, streamID: id) }
            return try streamError(.stream(error.reason, id), output: output)
        }
        streams.endRemote(index)
        return .trailers(id, trailers)
    }

    /// Refuses a new stream the driver never sees: RST_STREAM, remembered as reset by us.
    private func refuse(_ id: HTTP2StreamID, _ error: HTTP2Error, output: ByteBuffer) throws(HTTP2Error) -> HTTP2Event? {
        closedStreams.record(id, resetByUs: true)
        try sendReset(id, error.code, output: output)
        return nil
    }

    private func decode(_ block: UnsafeRawBufferPointer, into list: HPACKHeaderList) throws(HTTP2Error) {
        do throws(HPACKError) {
            try decoder.decode(block, into: list, limits: decodingLimits)
        } catch {
            throw HTTP2Error(.compression(error.reason))
        }
    }

    /// Decodes a block nobody will read, for the table's sake, then forgets the fields.
    private func discard(_ block: UnsafeRawBufferPointer) throws(HTTP2Error) {
        discardedFields.removeAll()
        try decode(block, into: discardedFields)
        discardedFields.releaseMemoryIfLarger(than: 64 * 1024)
    }

    // MARK: Recycling

    /// Gives back a request head from `.requestHead` once the request is done with it; a later
    /// stream reuses its memory. Optional.
    public func recycle(_ head: HTTP2RequestHead) {
        // As many as may be open at once, so a busy connection's steady state allocates none
        // (`releaseSpareMemory` lets them go when it falls idle).
        guard spareHeads.count < limits.maxStreamsPerConnection else { return }
        head.fields.releaseMemoryIfLarger(than: 64 * 1024)
        spareHeads.append(head)
    }

    /// Frees what recycling kept (spare heads and lists, the scratch of discarded blocks):
    /// for a connection gone idle, which should hold no more than its tables.
    public func releaseSpareMemory() {
        spareHeads.removeAll()
        spareLists.removeAll()
        discardedFields.releaseMemoryIfLarger(than: 0)
        if headerBlock == nil { headerBlockBuffer.release() }
    }

    /// Gives back trailers from `.trailers`. Optional.
    public func recycle(_ trailers: HPACKHeaderList) {
        guard spareLists.count < Self.maximumSpares else { return }
        trailers.releaseMemoryIfLarger(than: 64 * 1024)
        spareLists.append(trailers)
    }
}
