/// Fires once when a request is aborted: the client went away, or the app or server
/// aborted it. Handlers check `isAborted`, register a callback, or stop waiting on
/// work whose answer nobody will read.
///
/// Confined to the request's task, like the rest of `HTTPContext`.
public final class AbortSignal {
    @exclusivity(unchecked) public private(set) var isAborted = false
    @exclusivity(unchecked) private var callbacks: [() -> Void] = []

    public init() {}

    /// Runs `callback` when the signal fires (at once if it already has).
    public func onAbort(_ callback: @escaping () -> Void) {
        if isAborted { callback() } else { callbacks.append(callback) }
    }

    /// Fires the signal (once; later calls do nothing).
    public func fire() {
        guard !isAborted else { return }
        isAborted = true
        let pending = callbacks
        callbacks.removeAll()
        for callback in pending { callback() }
    }

    /// Ready for the next request on a reused context.
    func reset() {
        isAborted = false
        callbacks.removeAll(keepingCapacity: true)
    }
}
