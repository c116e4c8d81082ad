/// How `AppSupervisor.swap(to:)` ended.
public enum SwapOutcome: Sendable, Equatable {
    /// The new run serves every new request; the run it replaced finishes the requests it
    /// was handed and then stops.
    case swapped(AppEndpoint)
    /// The new run did not start (it exited, could not be spawned, or did not listen in
    /// time) and was reaped; the run before it, if any, still serves.
    case failed(AppFailure, outputTail: [String])
    /// A later swap began before this one's run was ready; this run was stopped.
    case superseded
    /// Nothing was started: the front is shutting down, or app_offline.htm is present (the
    /// new command is the one started once it is removed).
    case notStarted
}
