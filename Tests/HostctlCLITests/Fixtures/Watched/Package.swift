// swift-tools-version:6.0
import PackageDescription

// The package `hostctl watch` tests edit: `watched` is one small Swift file (so a change
// builds in seconds, without the hosting library) that hands over to serve.py with the
// message it was built with.
let package = Package(
    name: "Watched",
    targets: [.executableTarget(name: "watched")]
)
