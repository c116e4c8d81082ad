import CHostctlLinux
import HostctlSystem

extension ProcessEnvironment {
    /// This process's environment (`current()`) with the front's pairing token in it.
    ///
    /// Behind the front, the token (`FrontContract.tokenVariable`) leaves the real environment
    /// before `main` runs, so that no process the app starts inherits it; the hosting library
    /// keeps the value and gives it back here. `WebApplication.builder()` reads this.
    public static func currentWithFrontToken() -> ProcessEnvironment {
        var environment = current()
        if environment[FrontContract.tokenVariable] == nil, let token = chl_front_token() {
            environment[FrontContract.tokenVariable] = String(cString: token)
        }
        return environment
    }
}
