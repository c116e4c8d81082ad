/// A failure of hostctl itself: a message for stderr and the exit code to end with.
///
/// Messages use `dotnet run`'s words where it has words for the situation, with
/// "hostctl" in place of "dotnet", so documentation and habits carry over.
public struct HostctlFailure: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }
}
