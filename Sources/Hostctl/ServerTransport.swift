import HostctlEpoll
import HostctlHosting
import HostctlIOUring
import HostctlSystem
import HostctlTransport

/// What a server needs of its transport beyond the loops themselves: how to make them, and
/// how a failure reads to the person starting the app.
public protocol ServerTransport {
    associatedtype Loop: EventLoop
    /// `count` loops, their threads not started.
    static func makeLoops(count: Int) throws(ServerStartError) -> EventLoopGroup<Loop>
    /// The loops were made but could not start on their threads.
    static func startFailed(_ error: SystemError) -> ServerStartError
    /// Whether the server applies HTTP.sys's extras (request queue limit, request timing,
    /// response cache).
    static var appliesHTTPSysExtras: Bool { get }
}

/// The epoll transport: Kestrel's shape.
public enum EpollTransport: ServerTransport {
    public static func makeLoops(count: Int) throws(ServerStartError) -> EpollLoopGroup {
        do { return try EpollLoopGroup(count: count) } catch {
            throw ServerStartError("Could not create the event loops: \(error).")
        }
    }

    public static func startFailed(_ error: SystemError) -> ServerStartError {
        ServerStartError("Could not start the event loops: \(error).")
    }

    public static var appliesHTTPSysExtras: Bool { false }
}

/// The io_uring transport: HTTP.sys's place. Where the kernel refuses io_uring the server
/// fails to start and says why; it never falls back to epoll behind the user's back.
public enum IOUringTransport: ServerTransport {
    public static func makeLoops(count: Int) throws(ServerStartError) -> IOUringLoopGroup {
        do { return try IOUringLoopGroup(count: count) } catch {
            throw ServerStartError(
                "The io_uring server cannot start: \(error). Run on the event-loop server instead: HOSTCTL_SERVER=eventloop, "
                    + "\"server\": \"eventloop\" in the launch profile, or hostctl run --server eventloop."
            )
        }
    }

    public static func startFailed(_ error: SystemError) -> ServerStartError {
        ServerStartError("The io_uring server cannot start: \(error).")
    }

    public static var appliesHTTPSysExtras: Bool { true }

    /// Why this machine cannot run the io_uring server (the kernel's refusal, explained),
    /// or nil when it can: a ring is set up and torn down to find out.
    public static func unavailabilityReason() -> String? {
        do {
            _ = try IOUringLoopGroup(count: 1, configuration: .probe)
            return nil
        } catch {
            return error.description
        }
    }
}
