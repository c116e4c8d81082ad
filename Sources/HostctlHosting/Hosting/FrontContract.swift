/// What the front (`hostctl proxy`, proxied profiles) and an app behind it agree on
/// (design §6). The front sets these variables when it starts the app; the hosting
/// library acts on them only when both `HOSTCTL_PORT` and `HOSTCTL_TOKEN` are set, so the
/// same binary runs bare.
public enum FrontContract {
    /// The loopback port the app must bind (`http://127.0.0.1:PORT`, whatever other URLs
    /// say). "0": bind a free port and report it through `readyDescriptorVariable`.
    public static let portVariable = "HOSTCTL_PORT"
    /// The pairing token: every request must carry it in `tokenHeader`, or gets 400.
    /// Fresh and random for each process the front starts; never written to any log. An app
    /// on the hosting library takes it out of its environment before `main` (see
    /// `ProcessEnvironment.currentWithFrontToken()`), so processes it starts never inherit it.
    public static let tokenVariable = "HOSTCTL_TOKEN"
    /// The path base the front serves the app under ("/" or "/app"), applied to requests.
    public static let pathBaseVariable = "HOSTCTL_PATHBASE"
    /// An inherited descriptor (decimal) open for writing. Once the app listens, it writes
    /// its port in decimal followed by "\n", then closes the descriptor: that is its
    /// readiness, with no race between choosing a port and binding it. The front reads
    /// end-of-file without a port as "exited before listening".
    public static let readyDescriptorVariable = "HOSTCTL_READY_FD"
    /// An inherited descriptor (decimal): the read end of a pipe whose write end only the
    /// front holds. It reads end-of-file once the front is gone, however it ended (SIGKILL
    /// included); the hosting library then shuts the app down within a second. Only read;
    /// never written, never closed by the app before it ends.
    public static let lifelineDescriptorVariable = "HOSTCTL_LIFELINE_FD"
    /// The request header carrying the pairing token (lowercase, as sent).
    public static let tokenHeader = "x-hostctl-token"
}
