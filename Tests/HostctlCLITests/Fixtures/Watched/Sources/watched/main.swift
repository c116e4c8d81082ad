import Glibc

// What the app answers with; the tests change this line and watch the answer change.
let message = "version 1"

let words = ["python3", "serve.py", message] + CommandLine.arguments.dropFirst()
var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
execvp("python3", &argv)
perror("watched: execvp python3")
exit(127)
