import HostctlConfiguration
import HostctlCore
@testable import HostctlHosting
import HostctlLogging
import HostctlSystem
import HostctlTestSupport
import Testing

/// What WebApplicationBuilder reads: the layers in ASP.NET's order, the host's settings,
/// the Kestrel section, and the problems that stop an app at start.
@Suite struct HostConfigurationTests {
    static func builder(_ folder: TemporaryFolder, _ arguments: [String] = [], environment: [(String, String)] = []) -> WebApplicationBuilder {
        WebApplicationBuilder(
            arguments: ["shop", "--contentRoot", folder.path] + arguments, environment: ProcessEnvironment(environment), servers: [:]
        )
    }

    @Test func layersInAspNetCoresOrder() throws {
        let folder = try TemporaryFolder("layers")
        try folder.write("appsettings.json", #"{"A": "json", "B": "json", "C": "json", "D": "json", "Urls": "http://127.0.0.1:7000"}"#)
        try folder.write("appsettings.Staging.json", #"{"B": "staging", "C": "staging", "D": "staging"}"#)
        let builder = Self.builder(folder, ["--D=argument"], environment: [
            ("ASPNETCORE_ENVIRONMENT", "Staging"), ("C", "variable"), ("D", "variable"), ("HOSTCTL_A", "prefixed"),
        ])
        let configuration = builder.configuration
        #expect(configuration["A"] == "json", "a settings file beats a prefixed variable")
        #expect(configuration["B"] == "staging", "appsettings.{Environment}.json beats appsettings.json")
        #expect(configuration["C"] == "variable", "variables beat files")
        #expect(configuration["D"] == "argument", "arguments beat everything")
        #expect(builder.environment.name == "Staging" && builder.environment.isStaging)
        #expect(builder.environment.contentRootPath == folder.path)
        #expect(builder.environment.webRootPath == folder.file("wwwroot"))
        #expect(builder.environment.applicationName == "shop")
        #expect(builder.hosting.urls == "http://127.0.0.1:7000", "Urls from a settings file, as in ASP.NET")
        #expect(builder.startupProblems.isEmpty)
    }

    @Test func hostKeysFromTheirVariablesWithHostctlsFirst() throws {
        let folder = try TemporaryFolder("host-keys")
        let builder = Self.builder(folder, ["--webroot", "public"], environment: [
            ("DOTNET_ENVIRONMENT", "Other"), ("ASPNETCORE_ENVIRONMENT", "Staging"), ("HOSTCTL_ENVIRONMENT", "Development"),
            ("ASPNETCORE_URLS", "http://b:2"), ("HOSTCTL_URLS", ""), ("HOSTCTL_SERVER", "IOURING"),
            ("DOTNET_USE_POLLING_FILE_WATCHER", "true"), ("HOSTCTL_hostBuilder__reloadConfigOnChange", "false"),
        ])
        #expect(builder.environment.name == "Development")
        #expect(builder.hosting.urls == "http://b:2", "an empty variable counts as unset")
        #expect(builder.hosting.serverName == "iouring")
        #expect(builder.environment.webRootPath == folder.file("public"))
        #expect(builder.hosting.usesPollingFileWatcher && !builder.hosting.reloadsConfigurationOnChange)
        #expect(WebApplicationBuilder(arguments: ["x"], environment: ProcessEnvironment(), servers: [:]).hosting.urls == "http://localhost:5000")
    }

    @Test func theKestrelSectionSetsServerOptionsEndpointsAndCertificates() throws {
        let folder = try TemporaryFolder("kestrel")
        try folder.write("appsettings.json", #"""
            {
              "Kestrel": {
                "AddServerHeader": false,
                "Limits": {
                  "MaxConcurrentConnections": 100, "MaxRequestBodySize": null, "MaxRequestHeaderCount": 50,
                  "MaxRequestLineSize": 4096, "MaxRequestHeadersTotalSize": 16384, "MaxResponseBufferSize": 0,
                  "KeepAliveTimeout": "00:01:00", "RequestHeadersTimeout": "00:00:10",
                  "MinRequestBodyDataRate": { "BytesPerSecond": 100, "GracePeriod": "00:00:10" },
                  "MinResponseDataRate": null
                },
                "EndpointDefaults": { "Protocols": "Http1" },
                "Endpoints": {
                  "Http": { "Url": "http://127.0.0.1:0" },
                  "Https": {
                    "Url": "https://*:8443", "Protocols": "Http1AndHttp2", "SslProtocols": ["Tls12", "Tls13"],
                    "ClientCertificateMode": "AllowCertificate",
                    "Certificate": { "Path": "certs/site.pem", "KeyPath": "/etc/keys/site.key" },
                    "Sni": { "a.example.com": { "Protocols": "Http1", "Certificate": { "Path": "a.pfx", "Password": "s3cret" } } }
                  }
                },
                "Certificates": { "Default": { "Path": "default.pfx", "Password": "pw!#1" } }
              }
            }
            """#)
        let builder = Self.builder(folder)
        #expect(builder.startupProblems.isEmpty, "\(builder.startupProblems)")
        let options = builder.serverOptions
        #expect(options.maxConcurrentConnections == 100 && options.maxRequestBodySize == nil && options.maxRequestHeaderCount == 50)
        #expect(options.maxRequestLineSize == 4096 && options.maxRequestHeadersTotalSize == 16384 && options.maxResponseBufferSize == 0)
        #expect(options.keepAliveTimeout == .seconds(60) && options.requestHeadersTimeout == .seconds(10))
        #expect(options.minRequestBodyDataRate == MinDataRate(bytesPerSecond: 100, gracePeriod: .seconds(10)))
        #expect(options.minResponseDataRate == nil && !options.addsServerHeader)
        #expect(options.maxRequestBufferSize == 1_048_576, "what the section does not name keeps Kestrel's default")

        let kestrel = builder.kestrel
        #expect(kestrel.endpointDefaults.protocols == .http1)
        #expect(kestrel.endpoints.map(\.name) == ["Http", "Https"])
        let https = kestrel.endpoints[1]
        #expect(https.url == "https://*:8443" && https.protocols == [.http1, .http2] && https.sslProtocols == [.tls12, .tls13])
        #expect(https.clientCertificateMode == .allowCertificate)
        #expect(https.certificate?.path == folder.file("certs/site.pem") && https.certificate?.keyPath == "/etc/keys/site.key")
        #expect(https.sni.map(\.hostName) == ["a.example.com"] && https.sni[0].certificate?.password == "s3cret")
        #expect(https.sni[0].protocols == .http1)
        #expect(kestrel.defaultCertificate == {
            var certificate = CertificateConfiguration(path: folder.file("default.pfx"), password: "pw!#1")
            certificate.origin = kestrel.defaultCertificate?.origin
            return certificate
        }())
        // A password a temporary folder's name cannot hold (a bare "pw" failed the test whenever
        // the random folder name in the path happened to contain it).
        #expect(!"\(kestrel.defaultCertificate!)".contains("pw!#1") && "\(kestrel.defaultCertificate!)".contains("Password=(hidden)"))
        #expect(kestrel.listenURLs(urls: "http://localhost:5123") == (["http://127.0.0.1:0", "https://*:8443"], "http://localhost:5123"))
        #expect(kestrel.listenURLs(urls: HostingConfiguration.defaultURL).overridden == nil)
        #expect(KestrelConfiguration().listenURLs(urls: "http://a:1; http://b:2").urls == ["http://a:1", "http://b:2"])
    }

    @Test(arguments: [
        (#"{"Kestrel": {"Limits": {"MaxRequestBodySize": "big"}}}"#,
         "Failed to convert configuration value 'big' at 'Kestrel:Limits:MaxRequestBodySize' to type 'Int' (from APPSETTINGS:1:25)."),
        (#"{"Kestrel": {"Limits": {"KeepAliveTimeout": "130"}}}"#, nil),
        (#"{"Kestrel": {"Limits": {"MaxRequestHeaderCount": 0}}}"#,
         "The configuration value '0' at 'Kestrel:Limits:MaxRequestHeaderCount' is not valid: must be greater than 0 (from APPSETTINGS:1:25)."),
        (#"{"Kestrel": {"Limits": {"MaxRequestBufferSize": 100}}}"#,
         "The configuration value '100' at 'Kestrel:Limits:MaxRequestBufferSize' is not valid: Maximum request buffer size (100) must be greater than or equal to maximum request line size (8192) (from APPSETTINGS:1:25)."),
        (#"{"Kestrel": {"Limits": {"MinRequestBodyDataRate": {"BytesPerSecond": 1, "GracePeriod": "00:00:01"}}}}"#,
         "The configuration value '00:00:01' at 'Kestrel:Limits:MinRequestBodyDataRate:GracePeriod' is not valid: The grace period must be longer than the one-second heartbeat (from APPSETTINGS:1:73)."),
        (#"{"Kestrel": {"Endpoints": {"Web": {"Protocols": "Http1"}}}}"#,
         "The configuration at 'Kestrel:Endpoints:Web' is not valid: The endpoint Web is missing the required 'Url' parameter (from APPSETTINGS:1:36)."),
        (#"{"Kestrel": {"Endpoints": {"Web": {"Url": "http://*:1", "Protocols": "Http4"}}}}"#,
         "The configuration value 'Http4' at 'Kestrel:Endpoints:Web:Protocols' is not valid: not a protocol set (None, Http1, Http2, Http1AndHttp2, Http3 or Http1AndHttp2AndHttp3) (from APPSETTINGS:1:57)."),
        (#"{"Kestrel": {"Endpoints": {"Web": {"Url": "https://*:1", "SslProtocols": ["Ssl3"]}}}}"#,
         "The configuration value 'Ssl3' at 'Kestrel:Endpoints:Web:SslProtocols:0' is not valid: 'Ssl3' is not a TLS version (None, Tls, Tls11, Tls12 or Tls13) (from APPSETTINGS:1:58)."),
        (#"{"Kestrel": {"Certificates": {"Default": {"Password": "x"}}}}"#,
         "The configuration at 'Kestrel:Certificates:Default' is not valid: a certificate needs a Path (a PEM or PKCS#12 file) or a Subject (from APPSETTINGS:1:43)."),
        (#"{"Logging": {"LogLevel": {"Default": "Verbose"}}}"#,
         "The configuration value 'Verbose' at 'Logging:LogLevel:Default' is not valid: not a log level (Trace, Debug, Information, Warning, Error, Critical or None) (from APPSETTINGS:1:27)."),
        (#"{"Logging": {"Console": {"FormatterName": "xml"}}}"#,
         "The configuration value 'xml' at 'Logging:Console:FormatterName' is not valid: not a console format (simple, json or systemd) (from APPSETTINGS:1:26)."),
        ("{\"Shop\": \n  oops}", "APPSETTINGS:2:3: Unexpected character 'o'; expected a value."),
    ] as [(String, String?)])
    func badConfigurationStopsTheAppAtStartSayingWhereAndWhy(_ json: String, _ problem: String?) async throws {
        let folder = try TemporaryFolder("bad-config")
        let file = try folder.write("appsettings.json", json)
        let app = Self.builder(folder).build()
        guard let problem else {
            #expect(app.serverOptions.keepAliveTimeout == .seconds(130 * 86_400), "a bare number is days, as .NET's TimeSpan reads it")
            return
        }
        let error = await #expect(throws: StartupError.self) { try await app.start() }
        #expect(error?.problems == [problem.replacing("APPSETTINGS", with: file)])
    }

    @Test func kestrelsHTTP2LimitsAndProtocolsFromTheEnvironment() throws {
        let folder = try TemporaryFolder("http2")
        try folder.write("appsettings.json", #"""
            { "Kestrel": { "Limits": { "Http2": {
                "MaxStreamsPerConnection": 50, "HeaderTableSize": 0, "MaxFrameSize": 32768, "MaxRequestHeaderFieldSize": 8192,
                "InitialConnectionWindowSize": 2097152, "InitialStreamWindowSize": 131072,
                "KeepAlivePingDelay": "00:00:30", "KeepAlivePingTimeout": "00:01:00" } } } }
            """#)
        let builder = Self.builder(folder, environment: [("ASPNETCORE_Kestrel__EndpointDefaults__Protocols", "Http2")])
        #expect(builder.startupProblems.isEmpty, "\(builder.startupProblems)")
        let http2 = builder.serverOptions.http2
        #expect(http2.maxStreamsPerConnection == 50 && http2.headerTableSize == 0 && http2.maxFrameSize == 32768)
        #expect(http2.maxRequestHeaderFieldSize == 8192)
        #expect(http2.initialConnectionWindowSize == 2_097_152 && http2.initialStreamWindowSize == 131_072)
        #expect(http2.keepAlivePingDelay == .seconds(30) && http2.keepAlivePingTimeout == .seconds(60))
        #expect(builder.kestrel.endpointDefaults.protocols == .http2, "ASP.NET's variable spelling reaches the Kestrel section")
        #expect(ServerOptions().http2 == HTTP2ServerLimits(), "Kestrel's defaults otherwise")
        #expect(HTTP2ServerLimits().initialStreamWindowSize == 768 * 1024 && HTTP2ServerLimits().keepAlivePingDelay == nil)
        #expect(KestrelEndpointDefaults().protocols == [.http1, .http2], "Http1AndHttp2 by default")
    }

    @Test(arguments: [
        (#"{"Kestrel": {"Limits": {"Http2": {"MaxFrameSize": 100}}}}"#, "'Kestrel:Limits:Http2:MaxFrameSize' is not valid: A value between 16384 and 16777215 is required"),
        (#"{"Kestrel": {"Limits": {"Http2": {"InitialStreamWindowSize": 1}}}}"#, "'Kestrel:Limits:Http2:InitialStreamWindowSize' is not valid: A value between 65535 and 2147483647 is required"),
        (#"{"Kestrel": {"Limits": {"Http2": {"MaxStreamsPerConnection": 0}}}}"#, "'Kestrel:Limits:Http2:MaxStreamsPerConnection' is not valid: must be greater than 0"),
        (#"{"Kestrel": {"Limits": {"Http2": {"KeepAlivePingTimeout": "00:00:00.5"}}}}"#, "'Kestrel:Limits:Http2:KeepAlivePingTimeout' is not valid: must be at least 1 second"),
    ])
    func anHTTP2LimitOutOfRangeIsAStartupProblem(_ json: String, _ problem: String) throws {
        let folder = try TemporaryFolder("bad-http2")
        try folder.write("appsettings.json", json)
        let problems = Self.builder(folder).startupProblems
        #expect(problems.count == 1 && problems.first?.contains(problem) == true, "\(problems)")
    }

    @Test func aValueThatDoesNotBindNamesTheKeyTheTypeAndTheFile() throws {
        struct ShopOptions: Decodable { var maxItems: Int }
        let folder = try TemporaryFolder("shop")
        let file = try folder.write("appsettings.json", "{\n  \"Shop\": {\n    \"MaxItems\": \"ten\"\n  }\n}\n")
        let builder = Self.builder(folder)
        let error = #expect(throws: ConfigurationBindingError.self) { try builder.configuration.section("Shop").decode(ShopOptions.self) }
        #expect(error?.description == "Failed to convert configuration value 'ten' at 'Shop:MaxItems' to type 'Int' (from \(file):3:5).")
    }

    @Test func theLoggingSectionSetsTheFiltersAndCodeAddsToThem() throws {
        let folder = try TemporaryFolder("logging")
        try folder.write("appsettings.json", #"{"Logging": {"LogLevel": {"Default": "Warning", "Shop": "Debug"}}}"#)
        let builder = Self.builder(folder)
        let sink = MemoryLogSink()
        builder.logging.clearSinks()
        builder.logging.addSink(sink)
        builder.logging.addFilter("Shop.Noisy", .error)
        let app = builder.build()
        app.logger(category: "Other").information("hidden")
        app.logger(category: "Other").warning("shown")
        app.logger(category: "Shop.Orders").debug("detail")
        app.logger(category: "Shop.Noisy").warning("hidden too")
        #expect(sink.entries.map(\.message) == ["shown", "detail"])
    }
}
