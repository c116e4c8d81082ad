import HostctlHosting
import HostctlSystem

extension WebApplication {
    /// The servers an app can run on, by the names `HOSTCTL_SERVER` takes.
    public static var defaultServers: [String: ServerFactory] {
        ["eventloop": { EventLoopServer($0) }, "iouring": { IOUringServer($0) }]
    }

    /// A builder reading the process's arguments, environment and settings files (design
    /// §4–5; see `WebApplicationBuilder` for the layers), with the standard servers registered.
    ///
    /// ```swift
    /// import Hostctl
    ///
    /// let app = WebApplication.builder().build()
    /// app.get("/") { try await $0.response.write("Hello!") }
    /// await app.run()
    /// ```
    public static func builder(
        arguments: [String] = CommandLine.arguments, environment: ProcessEnvironment = .currentWithFrontToken(), readsSettingsFiles: Bool = true
    ) -> WebApplicationBuilder {
        WebApplicationBuilder(arguments: arguments, environment: environment, servers: defaultServers, readsSettingsFiles: readsSettingsFiles)
    }
}
