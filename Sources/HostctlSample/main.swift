import Glibc

// The bundled sample app: until the hosting library exists it is a console app that
// shows what hostctl gave it, so `swift run hostctl run` demonstrates profiles at once.

func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}

let arguments = CommandLine.arguments.dropFirst()
print("Hello from the hostctl sample app.")
print("  profile:     \(environment("HOSTCTL_LAUNCH_PROFILE") ?? "(none)")")
print("  environment: \(environment("HOSTCTL_ENVIRONMENT") ?? "(not set)")")
print("  urls:        \(environment("HOSTCTL_URLS") ?? "(not set)")")
print("  server:      \(environment("HOSTCTL_SERVER") ?? "(not set)")")
print("  arguments:   \(arguments.isEmpty ? "(none)" : arguments.map { "\"\($0)\"" }.joined(separator: " "))")
var cwd = [CChar](repeating: 0, count: Int(PATH_MAX))
print("  directory:   \(getcwd(&cwd, cwd.count).map { String(cString: $0) } ?? "?")")
