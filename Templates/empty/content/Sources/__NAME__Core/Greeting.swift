/// The line the program prints.
public func greeting(arguments: [String]) -> String {
    arguments.isEmpty ? "Hello from __NAME__!" : "Hello from __NAME__, with \(arguments.joined(separator: " "))!"
}
