// swift-tools-version:6.0
import PackageDescription

// An app for the front to run without building the hosting library: `fronted` hands
// over to app.py, a small python3 server that follows the front's contract.
let package = Package(
    name: "Fronted",
    targets: [.executableTarget(name: "fronted")]
)
