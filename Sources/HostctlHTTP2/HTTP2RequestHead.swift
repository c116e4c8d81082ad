#if canImport(HostctlCore)
import HostctlCore
#endif
#if canImport(HostctlHPACK)
import HostctlHPACK
#endif

/// A request's head as a HEADERS block decoded it, checked against RFC 9113 §8.
///
/// Every field is in `fields` in the order received, the pseudo-header fields first; the
/// properties below are byte ranges into `fields`' storage (read them with `fields.bytes(_:)`),
/// so nothing was copied beyond decoding and no String exists until someone asks for one.
///
/// Ownership: the state machine hands a head over in `HTTP2Event.requestHead`; from then on it
/// is the driver's, for as long as the request lives. Give it back with
/// `HTTP2ConnectionStateMachine.recycle(_:)` to have it reused for a later stream (optional:
/// a head not given back is simply freed).
public final class HTTP2RequestHead {
    public let fields = HPACKHeaderList()
    /// The index in `fields` of the first regular (non-pseudo) field.
    @exclusivity(unchecked) public internal(set) var regularFieldsStart = 0
    @exclusivity(unchecked) public internal(set) var method = HTTPMethod.get
    @exclusivity(unchecked) public internal(set) var methodRange: Range<Int> = 0..<0
    /// :scheme; nil for a plain CONNECT.
    @exclusivity(unchecked) public internal(set) var scheme: Range<Int>?
    /// :authority, or else the Host field's value; nil when neither was sent.
    @exclusivity(unchecked) public internal(set) var authority: Range<Int>?
    /// :protocol (RFC 8441): set only on an extended CONNECT, which names the tunnel's
    /// protocol ("websocket") and has :scheme and :path as other requests do.
    @exclusivity(unchecked) public internal(set) var connectProtocol: Range<Int>?
    /// :path as sent (path and query); nil for a plain CONNECT.
    @exclusivity(unchecked) public internal(set) var target: Range<Int>?
    /// :path up to the first '?'.
    @exclusivity(unchecked) public internal(set) var path: Range<Int>?
    /// What follows the first '?' of :path, without it; nil when there is no '?'.
    @exclusivity(unchecked) public internal(set) var query: Range<Int>?
    /// Whether a Host field was sent (besides or instead of :authority).
    @exclusivity(unchecked) public internal(set) var hasHostField = false
    /// The content-length field's value; nil when absent. DATA must add up to it (§8.1.1).
    @exclusivity(unchecked) public internal(set) var contentLength: Int?

    public init() {}

    /// Regular header fields (the ones an app sees as headers).
    public var headerCount: Int { fields.count - regularFieldsStart }

    /// The request names its host only in :authority: an app that reads the Host field needs
    /// one made from it (a Host field, when sent, matched :authority, RFC 9113 §8.3.1).
    public var namesHostOnlyInAuthority: Bool { authority != nil && !hasHostField }

    /// What a server reads of every request, in one call. Read one by one from another module,
    /// these stored properties cost a dynamic exclusivity check each (≈ 60 instructions): the
    /// compiler honours their `@exclusivity(unchecked)` only for accesses compiled here.
    public struct Essentials: Sendable {
        public let method: HTTPMethod
        /// :path up to its '?'.
        public let path: Range<Int>?
        public let contentLength: Int?
        public let namesHostOnlyInAuthority: Bool
    }

    public var essentials: Essentials {
        Essentials(method: method, path: path, contentLength: contentLength, namesHostOnlyInAuthority: namesHostOnlyInAuthority)
    }

    /// An extended CONNECT (RFC 8441): a tunnel, whose body is open-ended both ways.
    public var isExtendedConnect: Bool { connectProtocol != nil }

    /// Regular field `index` (0-based among regular fields): its name and value bytes.
    @inline(__always)
    public func withHeader<R>(at index: Int, _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> R) -> R {
        let field = fields.fields[regularFieldsStart + index]
        return body(fields.bytes(field.name), fields.bytes(field.value))
    }

    /// Whether regular field `index` came as a never-indexed literal (keep it so when re-encoding).
    public func headerIsNeverIndexed(at index: Int) -> Bool { fields.fields[regularFieldsStart + index].isNeverIndexed }

    public func string(_ range: Range<Int>?) -> String? { range.map { fields.string($0) } }

    /// Back to an empty head, keeping memory.
    func prepareForReuse() {
        fields.removeAll()
        regularFieldsStart = 0
        method = .get
        methodRange = 0..<0
        scheme = nil
        authority = nil
        target = nil
        connectProtocol = nil
        path = nil
        query = nil
        hasHostField = false
        contentLength = nil
    }
}
