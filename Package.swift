// swift-tools-version:6.0
import PackageDescription

// Layers, lowest first. Pure modules (JSON, command line) know nothing of processes;
// HostctlSystem wraps the kernel calls that everything above uses; HostctlLaunch is
// what `hostctl run` and `hostctl build` do; HostctlCLI is a thin executable over it.
// Later issues add the hosting library, codecs and transports beside these.
/// Async functions in the server's own modules run on their caller's executor (SE-0461)
/// rather than hopping to the generic one and back: a connection's code stays on its loop
/// with no executor switch per call.
let stayOnCallersExecutor: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "hostctl",
    products: [
        .executable(name: "hostctl", targets: ["HostctlCLI"]),
        .library(name: "Hostctl", targets: ["Hostctl"]),
    ],
    targets: [
        // C: raw syscalls and the glibc extensions Swift's Glibc module does not import.
        .target(name: "CHostctlLinux"),

        // Kernel calls behind one error type: files, directories, descriptors, terminal, clock.
        .target(name: "HostctlSystem", dependencies: ["CHostctlLinux"]),

        // Pure: buffers and HTTP value types shared by codecs, server core and hosting.
        .target(name: "HostctlCore"),

        // Pure: the HTTP/1.1 codec (bytes in, parsed heads and body events out; response heads out).
        .target(name: "HostctlHTTP1", dependencies: ["HostctlCore"]),

        // Pure: HPACK (RFC 7541), the header compression of HTTP/2: integers, Huffman, the
        // static and dynamic tables, a decoder with limits and an encoder.
        .target(name: "HostctlHPACK", dependencies: ["HostctlCore"]),

        // Pure: the HTTP/2 codec (RFC 9113): frames, the connection state machine with flow
        // control and its defences, request validation; bytes in, events and frames out.
        .target(name: "HostctlHTTP2", dependencies: ["HostctlCore", "HostctlHPACK"]),

        // Pure: a JSON reader that tolerates comments and trailing commas, with positions.
        .target(name: "HostctlJSON"),

        // Configuration as ASP.NET Core layers it: settings files, environment variables and
        // the command line as one tree of keys, bound to Decodable types, reloaded on change.
        .target(name: "HostctlConfiguration", dependencies: ["HostctlCore", "HostctlJSON", "HostctlSystem"]),

        // ILogger as ASP.NET Core has it: categories, levels, filter rules from configuration,
        // scopes, and a console sink that never makes the logging thread wait.
        .target(name: "HostctlLogging", dependencies: ["HostctlCore", "HostctlConfiguration", "HostctlSystem"]),

        // Pure: declarative command and option specs that drive parsing, help and completion.
        .target(name: "HostctlCommandLine"),

        // What apps program against: context, features, middleware, routing, the server
        // protocol, the application builder and its lifetime. Knows no transport.
        .target(
            name: "HostctlHosting",
            dependencies: ["HostctlCore", "HostctlJSON", "HostctlConfiguration", "HostctlLogging", "HostctlSystem", "CHostctlLinux"],
            swiftSettings: stayOnCallersExecutor
        ),

        // The per-connection HTTP drivers (HTTP/1.1, and HTTP/2 over its codec), limits, timeouts
        // and the rejection table, shared by every transport (bytes in, actions out; it owns no descriptors).
        .target(
            name: "HostctlServerCore",
            dependencies: ["HostctlCore", "HostctlHTTP1", "HostctlHPACK", "HostctlHTTP2", "HostctlHosting", "HostctlLogging", "HostctlSystem", "CHostctlLinux"],
            swiftSettings: stayOnCallersExecutor
        ),

        // The system's OpenSSL 3 (libssl-dev), with inline wrappers for the macros Swift cannot import.
        .systemLibrary(name: "CHostctlOpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // TLS without I/O: the server engine over OpenSSL (ciphertext in, plaintext out),
        // certificates and their reloading, the developer certificate.
        .target(name: "HostctlTLS", dependencies: ["CHostctlOpenSSL", "HostctlCore", "HostctlSystem"]),

        // What every transport shares: listening sockets, a loop's work queue, registrations.
        .target(name: "HostctlTransport", dependencies: ["HostctlCore", "HostctlSystem", "CHostctlLinux"]),

        // The epoll transport: event loops, listeners, sockets. Moves bytes; knows no HTTP.
        .target(name: "HostctlEpoll", dependencies: ["HostctlCore", "HostctlSystem", "HostctlTransport", "CHostctlLinux"]),

        // io_uring by hand: syscalls, ring memory and its ordering (no liburing).
        .target(name: "CHostctlIOUring"),

        // The io_uring transport: loops, listeners, connections over completion-based I/O.
        // Moves bytes; knows no HTTP.
        .target(name: "HostctlIOUring", dependencies: ["HostctlCore", "HostctlSystem", "HostctlTransport", "CHostctlIOUring", "CHostctlLinux"]),

        // The library apps import: the hosting library plus the servers it can run on (and
        // their TLS layer).
        .target(name: "Hostctl", dependencies: ["HostctlHosting", "HostctlServerCore", "HostctlTLS", "HostctlEpoll", "HostctlIOUring", "HostctlTransport", "HostctlSystem"]),

        // Child processes: spawn with reset signals, wait while forwarding signals.
        .target(name: "HostctlSupervisor", dependencies: ["HostctlSystem", "CHostctlLinux"]),

        // The front of proxied hosting (ANCM out-of-process): owns the public URLs on a
        // server of either transport, starts and supervises the app, forwards to it over loopback.
        .target(
            name: "HostctlFront",
            dependencies: [
                "Hostctl", "HostctlHosting", "HostctlHTTP1", "HostctlServerCore", "HostctlTransport", "HostctlSupervisor", "HostctlSystem",
                "CHostctlLinux", "CHostctlOpenSSL",
            ],
            swiftSettings: stayOnCallersExecutor
        ),

        // Launch settings, environment composition, `swift build`, up-to-date checks, launching.
        .target(
            name: "HostctlLaunch",
            dependencies: ["HostctlSystem", "HostctlJSON", "HostctlCommandLine", "HostctlSupervisor", "HostctlFront", "HostctlHosting", "HostctlTLS"]
        ),

        // The `hostctl` executable.
        .executableTarget(name: "HostctlCLI", dependencies: ["HostctlLaunch"]),

        // The bundled sample app that the root launchSettings.json runs.
        .executableTarget(name: "HostctlSample", dependencies: ["Hostctl", "HostctlJSON", "HostctlSystem"]),

        .testTarget(name: "HostctlCoreTests", dependencies: ["HostctlCore"]),
        .testTarget(name: "HostctlHTTP1Tests", dependencies: ["HostctlHTTP1"]),
        .testTarget(name: "HostctlHPACKTests", dependencies: ["HostctlHPACK", "HostctlCore", "HostctlTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "HostctlHTTP2Tests", dependencies: ["HostctlHTTP2", "HostctlHPACK", "HostctlCore", "HostctlTestSupport"]),
        .testTarget(name: "HostctlJSONTests", dependencies: ["HostctlJSON"]),
        .testTarget(name: "HostctlTLSTests", dependencies: ["HostctlTLS", "HostctlCore", "HostctlSystem", "CHostctlOpenSSL"]),
        .testTarget(name: "HostctlConfigurationTests", dependencies: ["HostctlConfiguration", "HostctlSystem", "HostctlTestSupport"]),
        .testTarget(name: "HostctlLoggingTests", dependencies: ["HostctlLogging", "HostctlConfiguration", "HostctlSystem", "HostctlTestSupport"]),
        .testTarget(name: "HostctlHostingTests", dependencies: ["HostctlHosting", "Hostctl", "HostctlServerCore", "HostctlTestSupport"]),
        .testTarget(
            name: "HostctlServerCoreTests", dependencies: ["HostctlServerCore", "HostctlHosting", "HostctlCore", "HostctlHTTP2", "HostctlHPACK", "HostctlSystem", "HostctlTestSupport"]
        ),
        .testTarget(name: "HostctlIOUringTests", dependencies: ["HostctlIOUring", "HostctlCore", "HostctlTransport", "CHostctlIOUring", "HostctlTestSupport"]),
        // Both transports under one handler: the same events for the same bytes.
        .testTarget(
            name: "HostctlTransportTests",
            dependencies: ["HostctlTransport", "HostctlEpoll", "HostctlIOUring", "HostctlCore", "HostctlSystem", "HostctlTestSupport"]
        ),
        // Shared by the tests: a blocking socket client that parses just enough HTTP/1.1 (the
        // server, transport and front tests; over TLS too) and a raw HTTP/2 one, where io_uring stands here,
        // waiting on signals, a seeded random generator, buffer capture (a library, since test targets
        // cannot depend on one another).
        .target(
            name: "HostctlTestSupport", dependencies: ["HostctlCore", "HostctlHPACK", "HostctlSystem", "HostctlIOUring", "CHostctlOpenSSL"], path: "Tests/Support"
        ),
        .testTarget(
            name: "HostctlServerTests",
            dependencies: [
                "Hostctl", "HostctlServerCore", "HostctlHTTP1", "HostctlSystem", "HostctlTransport", "HostctlTestSupport", "HostctlTLS",
                "HostctlSupervisor",
            ]
        ),
        .testTarget(name: "HostctlCommandLineTests", dependencies: ["HostctlCommandLine"]),
        .testTarget(name: "HostctlLaunchTests", dependencies: ["HostctlLaunch"]),
        .testTarget(name: "HostctlSupervisorTests", dependencies: ["HostctlSupervisor", "HostctlSystem"]),
        .testTarget(
            name: "HostctlFrontTests",
            dependencies: ["HostctlFront", "Hostctl", "HostctlHTTP1", "HostctlServerCore", "HostctlSystem", "HostctlTestSupport", "HostctlTLS"]
        ),
        .testTarget(
            name: "HostctlCLITests",
            dependencies: ["HostctlCLI", "HostctlSupervisor", "HostctlSystem", "HostctlTLS", "HostctlTestSupport"],
            exclude: ["Fixtures"]
        ),
    ]
)
