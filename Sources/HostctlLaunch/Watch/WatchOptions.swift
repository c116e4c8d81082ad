import HostctlCommandLine

/// `hostctl watch`'s options: `hostctl run`'s, and its own.
public struct WatchOptions: Sendable {
    public var run: RunOptions
    /// `--list`: print the watched files and exit.
    public var listsFiles = false
    /// Off with `--no-browser-refresh`.
    public var refreshesBrowser = true

    public init(_ parsed: ParsedCommandLine) throws(HostctlFailure) {
        run = try RunOptions(parsed)
        listsFiles = parsed.isSet("list")
        refreshesBrowser = !parsed.isSet("noBrowserRefresh")
    }
}
