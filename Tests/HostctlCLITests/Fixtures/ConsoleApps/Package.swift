// swift-tools-version:6.0
import PackageDescription

// Console apps that report what hostctl handed them. Three executables on purpose:
// hostctl must ask which one to run.
let package = Package(
    name: "ConsoleApps",
    targets: [
        .executableTarget(name: "printargs"),
        .executableTarget(name: "exitwith"),
        .executableTarget(name: "traps"),
    ]
)
