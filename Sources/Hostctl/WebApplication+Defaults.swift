import HostctlHosting
import HostctlServerCore
import HostctlSystem

extension WebApplication {
    /// The servers an app can run on, by the names `HOSTCTL_SERVER` takes.
    public static var defaultServers: [String: ServerFactory] {
        ["eventloop": { EventLoopServer($0) }, "iouring": { IOUringServer($0) }]
    }

    /// The same servers, each offering its HTTP/1.1 requests to `forwarding` before the app
    /// pipeline (the front's forwarding path); the pipeline runs the rest.
    public static func servers(forwarding: any HTTP1ForwardingHandler) -> [String: ServerFactory] {
        ["eventloop": { EventLoopServer($0, forwarding: forwarding) }, "iouring": { IOUringServer($0, forwarding: forwarding) }]
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
