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
///
/// The properties are inlinable getters over internal storage: a stored property read directly
/// from another module is checked for exclusivity at run time (≈ 60 instructions a read), its
/// `@exclusivity(unchecked)` notwithstanding; inlined code keeps this module's attribute.
public final class HTTP2RequestHead {
    public let fields = HPACKHeaderList()
    /// The index in `fields` of the first regular (non-pseudo) field.
    @inlinable public var regularFieldsStart: Int { _regularFieldsStart }
    @exclusivity(unchecked) @usableFromInline var _regularFieldsStart: Int = 0
    @inlinable public var method: HTTPMethod { _method }
    @exclusivity(unchecked) @usableFromInline var _method: HTTPMethod = .get
    @inlinable public var methodRange: Range<Int> { _methodRange }
    @exclusivity(unchecked) @usableFromInline var _methodRange: Range<Int> = 0..<0
    /// :scheme; nil for a plain CONNECT.
    @inlinable public var scheme: Range<Int>? { _scheme }
    @exclusivity(unchecked) @usableFromInline var _scheme: Range<Int>?
    /// :authority, or else the Host field's value; nil when neither was sent.
    @inlinable public var authority: Range<Int>? { _authority }
    @exclusivity(unchecked) @usableFromInline var _authority: Range<Int>?
    /// :protocol (RFC 8441): set only on an extended CONNECT, which names the tunnel's
    /// protocol ("websocket") and has :scheme and :path as other requests do.
    @inlinable public var connectProtocol: Range<Int>? { _connectProtocol }
    @exclusivity(unchecked) @usableFromInline var _connectProtocol: Range<Int>?
    /// :path as sent (path and query); nil for a plain CONNECT.
    @inlinable public var target: Range<Int>? { _target }
    @exclusivity(unchecked) @usableFromInline var _target: Range<Int>?
    /// :path up to the first '?'.
    @inlinable public var path: Range<Int>? { _path }
    @exclusivity(unchecked) @usableFromInline var _path: Range<Int>?
    /// What follows the first '?' of :path, without it; nil when there is no '?'.
    @inlinable public var query: Range<Int>? { _query }
    @exclusivity(unchecked) @usableFromInline var _query: Range<Int>?
    /// Whether a Host field was sent (besides or instead of :authority).
    @inlinable public var hasHostField: Bool { _hasHostField }
    @exclusivity(unchecked) @usableFromInline var _hasHostField: Bool = false
    /// The content-length field's value; nil when absent. DATA must add up to it (§8.1.1).
    @inlinable public var contentLength: Int? { _contentLength }
    @exclusivity(unchecked) @usableFromInline var _contentLength: Int?

    public init() {}

    /// Regular header fields (the ones an app sees as headers).
    @inlinable public var headerCount: Int { fields.count - regularFieldsStart }

    /// The request names its host only in :authority: an app that reads the Host field needs
    /// one made from it (a Host field, when sent, matched :authority, RFC 9113 §8.3.1).
    public var namesHostOnlyInAuthority: Bool { authority != nil && !hasHostField }

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
        _regularFieldsStart = 0
        _method = .get
        _methodRange = 0..<0
        _scheme = nil
        _authority = nil
        _target = nil
        _connectProtocol = nil
        _path = nil
        _query = nil
        _hasHostField = false
        _contentLength = nil
    }
}
