import Glibc

// Prints, one per line: each argument, the working directory, the environment variables
// hostctl sets or a test names, the signal mask and ignored set, and the open descriptors.

func show(_ text: String) -> String {
    text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
}

let arguments = Array(CommandLine.arguments.dropFirst())
if getenv("FIXTURE_READ_STDIN") != nil { print("stdin=\(readLine() ?? "(end)")") }
print("argc=\(arguments.count)")
for argument in arguments { print("arg=\(show(argument))") }

var buffer = [CChar](repeating: 0, count: 4096)
print("cwd=\(getcwd(&buffer, buffer.count).map { String(cString: $0) } ?? "?")")

var names: [String] = []
var cursor = environ
while let entry = cursor.pointee {
    let text = String(cString: entry)
    if let equals = text.firstIndex(of: "=") {
        let name = String(text[..<equals])
        if name.hasPrefix("HOSTCTL_") || name.hasPrefix("ASPNETCORE_") || name.hasPrefix("FIXTURE_") { names.append(name) }
    }
    cursor += 1
}
for name in names.sorted() { print("env:\(name)=\(show(String(cString: getenv(name)!)))") }

// Signal state, from the kernel's view of this process.
if let file = fopen("/proc/self/status", "r") {
    var line = [CChar](repeating: 0, count: 512)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if text.hasPrefix("SigBlk:") || text.hasPrefix("SigIgn:") {
            print(text.replacing("\t", with: "").replacing("\n", with: "").lowercased())
        }
    }
    fclose(file)
}

// Open descriptors, without the one opendir uses to list them.
if let directory = opendir("/proc/self/fd") {
    let own = dirfd(directory)
    var fds: [Int32] = []
    let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    while let entry = readdir(directory) {
        let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
        if let fd = Int32(name), fd != own { fds.append(fd) }
    }
    closedir(directory)
    print("fds=\(fds.sorted().map(String.init).joined(separator: ","))")
}
