import Glibc
import HostctlSystem

/// How the front learns that an app which does not report its port is ready: it connects
/// to 127.0.0.1 on the port it gave the app (ANCM checks for a listener every 250 ms),
/// first every 10 ms, backing off to 250 ms, until a connection is accepted; and then makes
/// sure the listener is the app's, not a stranger's that took the port before the app
/// could (it is then not ready: the app will fail to bind, and say so).
struct PortProbe {
    let port: UInt16
    /// The app's process group (it leads one).
    let group: pid_t
    /// When the next look is due (monotonic nanoseconds).
    private(set) var due: Int64
    private var interval: Int64 = 10_000_000

    static let longestInterval: Int64 = 250_000_000

    init(port: UInt16, group: pid_t, now: Int64) {
        self.port = port
        self.group = group
        due = now
    }

    /// Looks if a look is due; true once the app listens on the port.
    mutating func look(now: Int64) -> Bool {
        guard now >= due else { return false }
        due = now + interval
        interval = min(interval * 2, Self.longestInterval)
        // A fresh listener's backlog is empty: on loopback the connection completes at once.
        guard ListenProbe.acceptsTCP(host: "127.0.0.1", port: port, timeoutMilliseconds: 50) else { return false }
        return ListenerOwnership.isListening(port: port, inGroup: group) != false
    }
}
