/// Marks the app's output as the app's where the front copies it to its own stdout and
/// stderr: every line starts with a prefix ("Shop | "), so the app's lines never read
/// as the front's (two "Application is shutting down..." lines, for one).
///
/// Pure, and holds nothing back: bytes are copied as they come, with the prefix put in
/// before the first byte of each line; stdout and stderr keep separate line states, as
/// in `OutputTail`.
public struct AppOutputMarker: Sendable {
    public let prefix: [UInt8]
    private var atLineStart = [true, true]

    public init(prefix: String) {
        self.prefix = Array(prefix.utf8)
    }

    /// `bytes` with the prefix before each line that starts in them.
    public mutating func mark(_ bytes: some Collection<UInt8>, from stream: OutputTail.Stream) -> [UInt8] {
        let index = stream.rawValue
        var marked: [UInt8] = []
        marked.reserveCapacity(bytes.count + prefix.count)
        for byte in bytes {
            if atLineStart[index] { marked += prefix }
            marked.append(byte)
            atLineStart[index] = byte == UInt8(ascii: "\n")
        }
        return marked
    }
}
