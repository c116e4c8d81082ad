/// An object its holder keeps for the holder's whole life, handed to calls without a
/// reference count of their own. Bound with `if let` or reached through a chain, a class's
/// `let` field is retained and released at every use (the optimizer does not count on it
/// staying put); on the per-request hooks that was six pairs a request.
struct Lent<Object: AnyObject> {
    /// Keeps the object alive for as long as the holder keeps this.
    let object: Object
    private let unmanaged: Unmanaged<Object>

    init(_ object: Object) {
        self.object = object
        unmanaged = .passUnretained(object)
    }

    /// Runs `body` with the object, which `object` keeps alive throughout.
    @inline(__always)
    func with<Result>(_ body: (Object) -> Result) -> Result {
        unmanaged._withUnsafeGuaranteedRef(body)
    }
}
