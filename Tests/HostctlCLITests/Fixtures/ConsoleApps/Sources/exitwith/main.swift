import Glibc

// `exitwith N` exits with code N; `exitwith --signal N` dies of signal N.
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--signal", arguments.count > 1, let signal = Int32(arguments[1]) {
    var line = "raising \(signal)\n"
    line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    // The Swift runtime may handle crash signals itself (its backtracer); die the plain way.
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
}
print("exiting with \(arguments.first ?? "0")")
exit(Int32(arguments.first ?? "0") ?? 0)
