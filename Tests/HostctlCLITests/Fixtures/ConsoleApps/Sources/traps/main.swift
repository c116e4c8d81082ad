import Glibc

// Traps SIGINT, SIGTERM, SIGHUP and SIGQUIT, says which one arrived and exits with a code
// for it (42, 43, 44, 45), as the dotnet run test apps do. Prints "ready" once the traps are set.
func say(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

var mask = sigset_t()
sigemptyset(&mask)
for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&mask, signal) }
sigprocmask(SIG_BLOCK, &mask, nil)
say("ready")
var received: Int32 = 0
sigwait(&mask, &received)
switch received {
case SIGINT: say("Interrupted!"); exit(42)
case SIGTERM: say("Terminating!"); exit(43)
case SIGHUP: say("Hangup!"); exit(44)
default: say("Quit!"); exit(45)
}
