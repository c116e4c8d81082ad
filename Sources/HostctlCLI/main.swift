import Glibc
import HostctlLaunch
import HostctlSystem

// A write to a closed pipe must be an error to handle, not a reason to die: hostctl's
// exit code has to be the app's. Children get default dispositions back at spawn.
signal(SIGPIPE, SIG_IGN)

// With the token put back: hostctl links the hosting library, whose start-up takes
// HOSTCTL_TOKEN out of the environment, but passes on what it was given, that included.
let environment = ProcessEnvironment.currentWithFrontToken()
let console = Console.standard(environment: environment)
exit(HostctlProgram(environment: environment, console: console).run(Array(CommandLine.arguments.dropFirst())))
