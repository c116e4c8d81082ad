/// One header field line of a request head, as byte ranges into the head (offsets from its
/// first byte), so parsing copies nothing; the caller makes Strings only of what it reads.
public struct HTTP1Field: Sendable, Equatable {
    /// The field name as sent (compare without regard to case, RFC 9110 §5.1).
    public var name: Range<Int>
    /// The field value with leading and trailing SP and HTAB removed (RFC 9112 §5.1); may be empty.
    public var value: Range<Int>

    public init(name: Range<Int>, value: Range<Int>) {
        self.name = name
        self.value = value
    }
}
