// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "__NAME__",
    targets: [
        .target(name: "__NAME__Core"),
        .executableTarget(name: "__NAME__", dependencies: ["__NAME__Core"]),
        .testTarget(name: "__NAME__Tests", dependencies: ["__NAME__Core"]),
    ]
)
