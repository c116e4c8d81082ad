/// Why a header block cannot be decoded (RFC 7541). Every reason is a connection error in
/// HTTP/2: the decoding context is shared by the whole connection, so once one block fails the
/// next cannot be trusted (RFC 9113 §4.3). `HostctlHTTP2` picks the error code: the limits that
/// guard the server are PROTOCOL_ERROR, everything else COMPRESSION_ERROR, as Kestrel does.
public struct HPACKError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The block ended inside a representation.
        case truncatedBlock
        /// An integer above 2³¹−1, or more than five continuation octets (RFC 7541 §5.1 allows
        /// a decoder to refuse encodings beyond its limits).
        case integerTooBig
        /// An indexed representation with index 0 (RFC 7541 §6.1).
        case indexZero
        /// An index past the static and dynamic tables (RFC 7541 §2.3.3).
        case indexOutOfRange(Int)
        /// A Huffman string holding EOS, padded with more than 7 bits, or padded with bits that
        /// are not all ones (RFC 7541 §5.2).
        case invalidHuffmanCode
        /// A dynamic table size update above the SETTINGS_HEADER_TABLE_SIZE we sent (§6.3).
        case tableSizeUpdateTooLarge(size: Int, maximum: Int)
        /// A dynamic table size update after the block's first field (RFC 7541 §4.2).
        case tableSizeUpdateNotAtStart
        /// We lowered SETTINGS_HEADER_TABLE_SIZE below the table's size and the next block did not
        /// begin with the size update that must follow (RFC 7541 §4.2).
        case tableSizeUpdateMissing
        /// A literal field with an empty name (CVE-2019-9516 abused those; Kestrel refuses them).
        case emptyName
        /// One name or value longer than `HPACKDecoder.Limits.maxFieldSize`, compressed or not.
        case fieldTooLarge(size: Int, maximum: Int)
        /// The decoded list (names, values and 32 per field) over `maxHeaderListSize`: detected
        /// before the field that would pass it is copied, so a small block that references one
        /// large table entry thousands of times (an HPACK bomb) costs no more than the limit.
        case headerListTooLarge(maximum: Int)
        /// More fields than `maxFieldCount`.
        case tooManyFields(maximum: Int)
    }

    public let reason: Reason

    public init(_ reason: Reason) {
        self.reason = reason
    }

    /// A sentence in Kestrel's words where it has one.
    public var description: String {
        switch reason {
        case .truncatedBlock: "The header block was incomplete and could not be fully decoded."
        case .integerTooBig: "The decoded integer exceeds the maximum value of Int32.MaxValue."
        case .indexZero: "Index 0 is outside the bounds of the header field table."
        case .indexOutOfRange(let index): "Index \(index) is outside the bounds of the header field table."
        case .invalidHuffmanCode: "Huffman decoding error."
        case .tableSizeUpdateTooLarge(let size, let maximum):
            "A dynamic table size update of \(size) octets is greater than the configured maximum size of \(maximum) octets."
        case .tableSizeUpdateNotAtStart: "Dynamic tables size update did not occur at the beginning of the first header block."
        case .tableSizeUpdateMissing: "The header block did not begin with the dynamic table size update that SETTINGS_HEADER_TABLE_SIZE requires."
        case .emptyName: "A header field with an empty name was received."
        case .fieldTooLarge(let size, let maximum): "The HPACK string length \(size) exceeds the maximum of \(maximum) octets."
        case .headerListTooLarge: "Request headers too long."
        case .tooManyFields: "Request contains too many headers."
        }
    }
}
