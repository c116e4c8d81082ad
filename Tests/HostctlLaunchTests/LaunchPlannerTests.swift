@testable import HostctlLaunch
import HostctlSystem
import Testing

@Suite struct LaunchPlannerTests {
    let base = ProcessEnvironment([("PATH", "/bin"), ("HOSTCTL_URLS", "http://shell:1"), ("HOME", "/home/me"), ("KEEP", "shell")])

    func profile(_ configure: (inout LaunchProfile) -> Void = { _ in }) -> LaunchProfile {
        var profile = LaunchProfile(name: "Dev", kind: .project)
        configure(&profile)
        return profile
    }

    func plan(_ profile: LaunchProfile?, typed: String? = nil, _ request: LaunchRequest = LaunchRequest()) throws -> LaunchPlan {
        try LaunchPlanner.plan(profile: profile, typedName: typed, settings: nil, request: request, baseEnvironment: base, packageDirectory: "/pkg")
    }

    @Test func environmentIsComposedInTheDocumentedOrder() throws {
        let dev = profile {
            $0.applicationUrl = "http://localhost:5000"
            $0.server = .ioURing
            $0.environmentVariables = [("A", "%HOME%"), ("HOSTCTL_SERVER", "eventloop")]
        }
        let result = try plan(dev, typed: "dev", LaunchRequest(environmentOverrides: [("A", "cli")]))
        #expect(result.environment["HOSTCTL_URLS"] == "http://localhost:5000")
        #expect(result.environment["HOSTCTL_LAUNCH_PROFILE"] == "dev")
        #expect(result.environment["HOSTCTL_SERVER"] == "eventloop", "profile variables beat the implicit ones")
        #expect(result.environment["A"] == "cli", "-e beats everything")
        #expect(result.environment["KEEP"] == "shell")
        #expect(result.environment.entries.map(\.name).prefix(4) == ["PATH", "HOSTCTL_URLS", "HOME", "KEEP"])
    }

    @Test func withoutAProfileOnlyTheCommandLineApplies() throws {
        let result = try plan(nil, LaunchRequest(appArguments: ["x"], environmentOverrides: [("B", "2")], server: .ioURing))
        #expect(result.environment["HOSTCTL_URLS"] == "http://shell:1")
        #expect(result.environment["HOSTCTL_LAUNCH_PROFILE"] == nil)
        #expect(result.environment["HOSTCTL_SERVER"] == "iouring")
        #expect(result.environment["B"] == "2")
        #expect(result.arguments == ["x"])
        #expect(result.target == .product(nil))
        #expect(result.workingDirectory == nil)
    }

    @Test func profileArgumentsUnlessReplacedOrIgnored() throws {
        let dev = profile { $0.commandLineArgs = "--from %HOME% \"two words\"" }
        #expect(try plan(dev).arguments == ["--from", "/home/me", "two words"])
        #expect(try plan(dev, LaunchRequest(appArguments: ["cli"])).arguments == ["cli"])
        #expect(try plan(dev, LaunchRequest(ignoresProfileArguments: true)).arguments == [])
    }

    @Test func explicitAspNetCoreUrlsRemovesTheHostctlOne() throws {
        let dev = profile { $0.applicationUrl = "http://localhost:5000"; $0.environmentVariables = [("ASPNETCORE_URLS", "http://x:1")] }
        let result = try plan(dev)
        #expect(result.environment["HOSTCTL_URLS"] == nil)
        #expect(result.listenURL == "http://x:1")
        let both = profile { $0.environmentVariables = [("ASPNETCORE_URLS", "http://x:1"), ("HOSTCTL_URLS", "http://y:2")] }
        #expect(try plan(both).environment["HOSTCTL_URLS"] == "http://y:2")
    }

    @Test func productComesFromTheCommandLineThenTheProfile() throws {
        let dev = profile { $0.product = "App" }
        #expect(try plan(dev).target == .product("App"))
        #expect(try plan(dev, LaunchRequest(product: "Other")).target == .product("Other"))
    }

    @Test func executableProfiles() throws {
        let exe = profile {
            $0.kind = .executable
            $0.executablePath = "tools/run"
            $0.applicationUrl = "http://localhost:7000"
        }
        let result = try plan(exe)
        #expect(result.target == .executable("/pkg/tools/run"))
        #expect(result.workingDirectory == "/pkg")
        #expect(result.environment["HOSTCTL_URLS"] == "http://shell:1", "applicationUrl is not applied to Executable profiles")
        #expect(result.listenURL == "http://localhost:7000")
        let bare = profile { $0.kind = .executable; $0.executablePath = "python3" }
        #expect(try plan(bare).target == .executable("python3"))
    }

    @Test func workingDirectoryMustExist() throws {
        let missing = profile { $0.workingDirectory = "/no/such/dir" }
        #expect(throws: ProfileProblem.self) { try plan(missing) }
        let present = profile { $0.workingDirectory = "/tmp/../tmp" }
        #expect(try plan(present).workingDirectory == "/tmp")
    }

    @Test func proxiedProfilesGetTheirPublicURLs() throws {
        let front = profile { $0.kind = .proxied(.proxied); $0.applicationUrl = "http://localhost:8080;http://+:8081" }
        #expect(try plan(front).proxiedPublicURLs == ["http://localhost:8080", "http://+:8081"])
        let option = try plan(profile(), LaunchRequest(server: .proxied))
        #expect(option.proxiedPublicURLs == ["http://shell:1"])
        #expect(option.environment["HOSTCTL_SERVER"] == nil)
        #expect(try plan(profile()).proxiedPublicURLs == nil)
    }

    @Test func theAppBehindAFrontKeepsItsProfilesServer() throws {
        let iouring = profile { $0.server = .ioURing }
        #expect(try plan(iouring, LaunchRequest(server: .proxied)).environment["HOSTCTL_SERVER"] == "iouring")
        let front = profile { $0.kind = .proxied(.proxied); $0.server = .ioURing }
        #expect(try plan(front).environment["HOSTCTL_SERVER"] == "iouring")
        let proxiedServer = profile { $0.server = .proxied }
        let result = try plan(proxiedServer)
        #expect(result.proxiedPublicURLs == ["http://shell:1"])
        #expect(result.environment["HOSTCTL_SERVER"] == nil, "never \"proxied\"")
    }

    @Test func startModeIsCarriedToThePlan() throws {
        #expect(try plan(profile { $0.kind = .proxied(.proxied) }).startMode == .onDemand)
        #expect(try plan(profile { $0.kind = .proxied(.proxied); $0.startMode = .always }).startMode == .always)
    }

    static let iisSettings = #"{"iisSettings": {"iisExpress": {"applicationUrl": "http://localhost:61234", "sslPort": 44300}}, "profiles": {}}"#

    func planWithIISSettings(_ profile: LaunchProfile, _ request: LaunchRequest = LaunchRequest()) throws -> LaunchPlan {
        let settings = try LaunchSettings.parse(Array(Self.iisSettings.utf8), path: "/pkg/launchSettings.json")
        return try LaunchPlanner.plan(profile: profile, typedName: nil, settings: settings, request: request, baseEnvironment: base, packageDirectory: "/pkg")
    }

    @Test func iisProfilesTakeTheirURLFromIISSettings() throws {
        let iis = profile { $0.kind = .proxied(.iisExpress); $0.hostingModel = .outOfProcess }
        #expect(try planWithIISSettings(iis).proxiedPublicURLs == ["http://localhost:61234", "https://localhost:44300"])
        #expect(throws: ProfileProblem.self) { try plan(iis) }
    }

    /// In process (the default for IIS profiles, as since ASP.NET Core 3.0), the app itself
    /// serves the public URLs, on its profile's server; out of process, the front does.
    @Test(arguments: [LaunchProfile.ProxiedFlavor.iisExpress, .iis])
    func iisProfilesRunInProcessUnlessTheySayOtherwise(_ flavor: LaunchProfile.ProxiedFlavor) throws {
        for model in [nil, LaunchProfile.HostingModel.inProcess] {
            let inProcess = try planWithIISSettings(profile {
                $0.kind = .proxied(flavor); $0.hostingModel = model; $0.server = .ioURing; $0.launchBrowser = true
                $0.environmentVariables = [("HOSTCTL_URLS", "http://localhost:1")]
            })
            #expect(inProcess.proxiedPublicURLs == nil, "no front")
            #expect(inProcess.environment["HOSTCTL_URLS"] == "http://localhost:61234;https://localhost:44300", "the public URLs (sslPort's too), whatever else named one")
            #expect(inProcess.environment["HOSTCTL_SERVER"] == "iouring")
            #expect(inProcess.capturesStartupErrors)
            #expect(inProcess.listenURL == "http://localhost:61234")
            #expect(inProcess.browserURL == "http://localhost:61234/")
        }
        let outOfProcess = try planWithIISSettings(profile { $0.kind = .proxied(flavor); $0.hostingModel = .outOfProcess })
        #expect(outOfProcess.proxiedPublicURLs == ["http://localhost:61234", "https://localhost:44300"])
        #expect(outOfProcess.environment["HOSTCTL_URLS"] == "http://shell:1", "the front, not the app, listens on the public URLs")
        #expect(!outOfProcess.capturesStartupErrors)
        // `--server proxied` asks for the front.
        let forced = try planWithIISSettings(profile { $0.kind = .proxied(flavor) }, LaunchRequest(server: .proxied))
        #expect(forced.proxiedPublicURLs == ["http://localhost:61234", "https://localhost:44300"])
        // Proxied profiles are always out of process, and Project profiles have no model.
        let proxied = try plan(profile { $0.kind = .proxied(.proxied); $0.applicationUrl = "http://localhost:8080" })
        #expect(proxied.proxiedPublicURLs == ["http://localhost:8080"] && !proxied.capturesStartupErrors)
        #expect(try !plan(profile { $0.hostingModel = .inProcess }).capturesStartupErrors)
    }

    @Test func browserURL() throws {
        let dev = profile { $0.applicationUrl = "http://*:5000;http://localhost:5001"; $0.launchBrowser = true; $0.launchUrl = "/swagger" }
        #expect(try plan(dev).browserURL == "http://localhost:5000/swagger")
        #expect(BrowserURL.make(base: "http://[::]:80", launchUrl: nil) == "http://localhost:80/")
        #expect(BrowserURL.make(base: "http://0.0.0.0:80/", launchUrl: "https://example.com/x") == "https://example.com/x")
        #expect(BrowserURL.make(base: "http://127.0.0.1:9", launchUrl: "a/b") == "http://127.0.0.1:9/a/b")
    }

    @Test func listenAddresses() {
        #expect(ListenAddress(url: "http://localhost:5000") == .tcp(hosts: ["127.0.0.1", "::1"], port: 5000))
        #expect(ListenAddress(url: "http://*:80/") == .tcp(hosts: ["127.0.0.1"], port: 80))
        #expect(ListenAddress(url: "https://example.com") == .tcp(hosts: ["example.com"], port: 443))
        #expect(ListenAddress(url: "http://[::1]:8080") == .tcp(hosts: ["::1"], port: 8080))
        #expect(ListenAddress(url: "http://[::]:8080") == .tcp(hosts: ["::1"], port: 8080))
        #expect(ListenAddress(url: "http://unix:/run/app.sock") == .unix(path: "/run/app.sock"))
        #expect(ListenAddress(url: "http://localhost:0") == nil)
        #expect(ListenAddress(url: "localhost:80") == nil)
        #expect(ListenAddress(url: "http://host:notaport") == nil)
    }
}
