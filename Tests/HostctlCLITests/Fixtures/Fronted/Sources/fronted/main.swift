import Glibc

// Becomes `python3 app.py ARGS…`; the profiles make the package folder the working directory.
let words = ["python3", "app.py"] + CommandLine.arguments.dropFirst()
var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
execvp("python3", &argv)
perror("fronted: execvp python3")
exit(127)
