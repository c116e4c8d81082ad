/// The last lines the app wrote to stdout and stderr, for the 502 page. Bounded in lines,
/// in total bytes and per line, so an app flooding its output costs a fixed amount of memory.
///
/// Pure: fed the bytes as they are read; stdout and stderr keep separate partial lines so
/// interleaved writes do not splice two lines into one.
public struct OutputTail: Sendable {
    public let maxLines: Int
    public let maxBytes: Int
    public let maxLineBytes: Int

    private var lines: [[UInt8]] = []
    private var storedBytes = 0
    private var partial: [[UInt8]] = [[], []]
    private var partialTruncated = [false, false]

    public init(maxLines: Int = 30, maxBytes: Int = 16 * 1024, maxLineBytes: Int = 1024) {
        self.maxLines = max(1, maxLines)
        self.maxBytes = max(1, maxBytes)
        self.maxLineBytes = max(1, min(maxLineBytes, maxBytes))
    }

    /// Which stream bytes came from.
    public enum Stream: Int, Sendable { case standardOutput = 0, standardError = 1 }

    public mutating func append(_ bytes: some Collection<UInt8>, from stream: Stream) {
        let index = stream.rawValue
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                finishLine(index)
            } else if partial[index].count < maxLineBytes {
                partial[index].append(byte)
            } else {
                partialTruncated[index] = true
            }
        }
    }

    /// The kept lines, oldest first, with any unfinished lines at the end.
    public var snapshot: [String] {
        var result = lines.map(Self.text)
        for index in 0..<2 where !partial[index].isEmpty {
            result.append(Self.text(partial[index]) + (partialTruncated[index] ? "…" : ""))
        }
        return result.suffix(maxLines)
    }

    private mutating func finishLine(_ index: Int) {
        var line = partial[index]
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if partialTruncated[index] { line += Array("…".utf8) }
        partial[index].removeAll(keepingCapacity: true)
        partialTruncated[index] = false
        lines.append(line)
        storedBytes += line.count
        while lines.count > maxLines || storedBytes > maxBytes {
            storedBytes -= lines.removeFirst().count
        }
    }

    private static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
