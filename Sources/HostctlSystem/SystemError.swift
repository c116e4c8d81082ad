import Glibc

/// A failed kernel or libc call: which call, on what, and the errno it left.
///
/// Every wrapper in this module throws this one type, so callers can match on
/// `code` (say, `ENOENT`) and messages always name the call that failed.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public let call: String
    public let code: Int32
    /// The path or object the call was about, when there is one; it makes messages actionable.
    public let subject: String?

    public init(_ call: String, code: Int32, subject: String? = nil) {
        self.call = call
        self.code = code
        self.subject = subject
    }

    /// The last errno, captured right after the failing call.
    public static func last(_ call: String, subject: String? = nil) -> SystemError {
        SystemError(call, code: errno, subject: subject)
    }

    /// The C library's text for the code ("No such file or directory").
    public var reason: String { String(cString: strerror(code)) }

    public var description: String {
        if let subject { return "\(call) '\(subject)': \(reason)" }
        return "\(call): \(reason)"
    }
}

/// Runs a call that returns -1 and sets errno on failure, retrying when a signal interrupted it.
@inline(__always)
public func retryingInterrupts<T: BinaryInteger>(
    _ call: String, subject: String? = nil, _ body: () -> T
) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        if errno == EINTR { continue }
        throw SystemError.last(call, subject: subject)
    }
}
