/// Collects bytes from a pipe and hands out complete lines (without the newline).
struct LineSplitter {
    private var pending: [UInt8] = []

    mutating func feed(_ bytes: UnsafeRawBufferPointer, line: (String) -> Void) {
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            pending.append(contentsOf: bytes[start..<index])
            line(String(decoding: pending, as: UTF8.self))
            pending.removeAll(keepingCapacity: true)
            start = index + 1
        }
        pending.append(contentsOf: bytes[start...])
    }

    /// The unterminated last line, if any.
    mutating func finish(line: (String) -> Void) {
        guard !pending.isEmpty else { return }
        line(String(decoding: pending, as: UTF8.self))
        pending.removeAll()
    }
}
