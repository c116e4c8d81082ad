import HostctlCore

/// A request's header fields, in order, duplicates kept, names matched without regard
/// to ASCII case (RFC 9110 §5.1).
///
/// Reads come straight from the server's buffer; the first change copies the fields
/// out, so middleware may edit headers freely.
public struct RequestHeaders: Sequence {
    enum Storage {
        case source(RequestHeadSource)
        case fields(HTTPFields)
    }

    var storage: Storage
    /// A field of `.source` the app must not see (the front's pairing token), or -1.
    /// Hiding it costs nothing, where removing it would copy every field out of the buffer.
    private(set) var hiddenIndex = -1

    init(source: RequestHeadSource) { storage = .source(source) }

    /// Reads `source`'s fields unchanged, nothing hidden: what `init(source:)` makes.
    func isUnchangedView(of source: RequestHeadSource) -> Bool {
        if case .source(let current) = storage { return current === source && hiddenIndex < 0 }
        return false
    }

    public init(_ fields: HTTPFields = HTTPFields()) { storage = .fields(fields) }

    public var count: Int {
        switch storage {
        case .source(let source): source.headerCount - (hiddenIndex >= 0 ? 1 : 0)
        case .fields(let fields): fields.count
        }
    }

    /// The first value of the field named `name`, or nil. Setting replaces every field of
    /// that name; nil removes them.
    public subscript(name: String) -> String? {
        get {
            switch storage {
            case .fields(let fields):
                return fields[name]
            case .source(let source):
                for index in 0..<source.headerCount where index != hiddenIndex {
                    let found: String? = source.withHeader(at: index) { fieldName, value in
                        ASCII.equalsIgnoringCase(fieldName, name) ? String(decoding: value, as: UTF8.self) : nil
                    }
                    if let found { return found }
                }
                return nil
            }
        }
        set {
            var fields = materialized
            fields[name] = newValue
            storage = .fields(fields)
            hiddenIndex = -1
        }
    }

    /// Every value of the field named `name`, in order.
    public func values(for name: String) -> [String] {
        switch storage {
        case .fields(let fields):
            return fields.values(for: name)
        case .source(let source):
            var values: [String] = []
            for index in 0..<source.headerCount where index != hiddenIndex {
                source.withHeader(at: index) { fieldName, value in
                    if ASCII.equalsIgnoringCase(fieldName, name) { values.append(String(decoding: value, as: UTF8.self)) }
                }
            }
            return values
        }
    }

    public func contains(_ name: String) -> Bool {
        switch storage {
        case .fields(let fields):
            return fields.contains(name)
        case .source(let source):
            for index in 0..<source.headerCount
            where index != hiddenIndex && source.withHeader(at: index, { fieldName, _ in ASCII.equalsIgnoringCase(fieldName, name) }) {
                return true
            }
            return false
        }
    }

    /// Whether `name`'s values contain `token` in a comma-separated list (case-insensitive),
    /// as for `Accept: text/html, */*` or `Connection: keep-alive, Upgrade`.
    public func contains(_ name: String, token: String) -> Bool {
        values(for: name).contains { value in
            value.split(separator: ",").contains { item in
                let trimmed = item.drop { $0 == " " || $0 == "\t" }
                let bare = trimmed.prefix { $0 != ";" && $0 != " " && $0 != "\t" }
                return ASCII.equalsIgnoringCase(String(bare), token)
            }
        }
    }

    public mutating func append(name: String, value: String) {
        var fields = materialized
        fields.append(name: name, value: value)
        storage = .fields(fields)
        hiddenIndex = -1
    }

    public mutating func remove(_ name: String) {
        var fields = materialized
        fields.remove(name)
        storage = .fields(fields)
        hiddenIndex = -1
    }

    /// The fields as a copy the app owns.
    public var materialized: HTTPFields {
        switch storage {
        case .fields(let fields):
            return fields
        case .source(let source):
            var fields = HTTPFields()
            for index in 0..<source.headerCount where index != hiddenIndex {
                source.withHeader(at: index) { name, value in
                    fields.append(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
                }
            }
            return fields
        }
    }

    // MARK: Raw access, for middleware that scans every field once (the front integration)

    /// How many fields `withField(at:)` can reach, hidden ones included.
    var rawCount: Int {
        switch storage {
        case .source(let source): source.headerCount
        case .fields(let fields): fields.count
        }
    }

    /// The name and value bytes of field `index` (0..<rawCount), without building Strings.
    func withField<R>(at index: Int, _ body: (_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> R) -> R {
        switch storage {
        case .source(let source):
            return source.withHeader(at: index, body)
        case .fields(let fields):
            var name = fields.fields[index].name, value = fields.fields[index].value
            return name.withUTF8 { name in value.withUTF8 { value in body(UnsafeRawBufferPointer(name), UnsafeRawBufferPointer(value)) } }
        }
    }

    /// Takes field `index` (0..<rawCount) out of what the app sees. A buffer-backed list
    /// only marks it (one field at most); an owned list drops it.
    mutating func hideField(at index: Int) {
        switch storage {
        case .source:
            precondition(hiddenIndex < 0 || hiddenIndex == index, "only one field of a request's head can be hidden")
            hiddenIndex = index
        case .fields(let fields):
            var kept = HTTPFields()
            for (position, field) in fields.fields.enumerated() where position != index {
                kept.append(name: field.name, value: field.value)
            }
            storage = .fields(kept)
        }
    }

    public func makeIterator() -> IndexingIterator<[HTTPFields.Field]> { materialized.fields.makeIterator() }
}
