import CHostctlLinux

extension ProcessEnvironment {
    /// This process's environment (`current()`) with the front's pairing token in it.
    ///
    /// Behind the front (`HOSTCTL_PORT` and `HOSTCTL_TOKEN` both set), the token leaves the
    /// real environment before `main` runs, so that no process the app starts inherits it
    /// (`chl_front_token`); the value is kept and given back here. The hosting library's
    /// `WebApplication.builder()` reads this, and so does hostctl itself, for which nothing
    /// changes: what it passes on is composed from it.
    public static func currentWithFrontToken() -> ProcessEnvironment {
        var environment = current()
        if environment["HOSTCTL_TOKEN"] == nil, let token = chl_front_token() {
            environment["HOSTCTL_TOKEN"] = String(cString: token)
        }
        return environment
    }
}
