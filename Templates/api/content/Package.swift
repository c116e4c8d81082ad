// swift-tools-version:6.0
import PackageDescription

let hosting: Target.Dependency = .product(name: "Hostctl", package: "__HOSTING_PACKAGE__")

// Async functions run where they are called from (Swift 6.2's default for new code), so a
// handler can pass its request's context on to helper functions.
let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let package = Package(
    name: "__NAME__",
    dependencies: [
        __HOSTING_DEPENDENCY__,
    ],
    targets: [
        // The API: routes, validation and the store, in a library so the tests can run them in memory.
        .target(name: "__NAME__App", dependencies: [hosting], swiftSettings: swiftSettings),
        .executableTarget(name: "__NAME__", dependencies: ["__NAME__App", hosting], swiftSettings: swiftSettings),
        .testTarget(name: "__NAME__Tests", dependencies: ["__NAME__App", hosting], swiftSettings: swiftSettings),
    ]
)
