/// One stream the state machine keeps: from the HEADERS that opened it until the driver says
/// it is done with it (`streamFinished`), which may be long after the protocol closed it (the
/// client reset it while the app still works on it). Those are the "tracked" streams that
/// bound Rapid Reset.
struct HTTP2StreamRecord {
    let id: HTTP2StreamID
    /// The client may still send (no END_STREAM, no reset).
    var remoteOpen: Bool
    /// We may still send.
    var localOpen = true
    var sentFinalHeaders = false
    var resetByClient = false
    var resetByUs = false
    /// What we may send before the client's next WINDOW_UPDATE (may go negative, §6.9.2).
    var sendWindow: Int
    /// What the client may send before our next WINDOW_UPDATE.
    var receiveWindow: Int
    /// Consumed by the app, not yet given back in a WINDOW_UPDATE.
    var pendingCredit = 0
    /// Handed to the driver, not yet consumed: credited to the connection when the stream ends.
    var unconsumed = 0
    /// DATA octets received (padding excluded), to check against content-length.
    var receivedLength = 0
    /// content-length, or -1.
    var expectedLength: Int

    var isOpen: Bool { remoteOpen || localOpen }
    var isReset: Bool { resetByClient || resetByUs }
}

/// The tracked streams, by id. Clients open streams in increasing order, so appending keeps
/// the array sorted and a lookup is a binary search over at most `maxTrackedStreams` ids.
struct HTTP2StreamTable {
    private(set) var records: [HTTP2StreamRecord] = []
    /// Streams open in either direction: what SETTINGS_MAX_CONCURRENT_STREAMS counts.
    private(set) var openCount = 0

    var count: Int { records.count }
    var isEmpty: Bool { records.isEmpty }

    @inline(__always)
    func index(of id: HTTP2StreamID) -> Int? {
        var low = 0
        var high = records.count
        while low < high {
            let middle = (low + high) >> 1
            let candidate = records[middle].id
            if candidate == id { return middle }
            if candidate < id { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    subscript(index: Int) -> HTTP2StreamRecord {
        get { records[index] }
        _modify { yield &records[index] }
    }

    mutating func append(_ record: HTTP2StreamRecord) {
        precondition(records.last.map { $0.id < record.id } ?? true)
        records.append(record)
        if record.isOpen { openCount += 1 }
    }

    mutating func remove(at index: Int) {
        if records[index].isOpen { openCount -= 1 }
        records.remove(at: index)
    }

    /// The client sent END_STREAM.
    mutating func endRemote(_ index: Int) {
        guard records[index].remoteOpen else { return }
        records[index].remoteOpen = false
        if !records[index].localOpen { openCount -= 1 }
    }

    /// We sent END_STREAM.
    mutating func endLocal(_ index: Int) {
        guard records[index].localOpen else { return }
        records[index].localOpen = false
        if !records[index].remoteOpen { openCount -= 1 }
    }

    /// Either side reset the stream: closed both ways at once.
    mutating func markReset(_ index: Int, byClient: Bool) {
        if records[index].isOpen { openCount -= 1 }
        records[index].remoteOpen = false
        records[index].localOpen = false
        if byClient { records[index].resetByClient = true } else { records[index].resetByUs = true }
    }

    /// Applies a change of the client's SETTINGS_INITIAL_WINDOW_SIZE to every stream we still
    /// send on (§6.9.2); false when a window would pass 2³¹−1.
    mutating func shiftSendWindows(by delta: Int) -> Bool {
        for index in records.indices where records[index].localOpen {
            records[index].sendWindow += delta
            if records[index].sendWindow > HTTP2Setting.maximumWindowSize { return false }
        }
        return true
    }
}

/// Streams closed lately, and whether we reset them: frames still in flight for a stream we
/// reset are ignored (RFC 9113 §5.1), while frames for a stream that ended normally are a
/// STREAM_CLOSED error. A ring: the oldest are forgotten, and a late frame for one of those is
/// treated as opening a stream below the highest, a PROTOCOL_ERROR.
struct HTTP2ClosedStreams {
    static let capacity = 256
    /// Stream ids (31 bits), the top bit set for those we reset; grown as streams close, so a
    /// connection that ran one stream holds one entry, not 256.
    private var entries: [UInt32] = []
    /// The oldest entry once the ring is full.
    private var next = 0
    private static let resetBit: UInt32 = 0x8000_0000

    mutating func record(_ id: HTTP2StreamID, resetByUs reset: Bool) {
        let entry = id.rawValue | (reset ? Self.resetBit : 0)
        if entries.count < Self.capacity {
            entries.append(entry)
        } else {
            entries[next] = entry
            next = (next + 1) & (Self.capacity - 1)
        }
    }

    /// nil: not remembered; else whether we reset it.
    func lookup(_ id: HTTP2StreamID) -> Bool? {
        guard id.rawValue != 0 else { return nil }
        for entry in entries where entry & ~Self.resetBit == id.rawValue { return entry & Self.resetBit != 0 }
        return nil
    }
}
