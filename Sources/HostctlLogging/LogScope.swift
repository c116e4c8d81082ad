/// Scopes, as .NET's `ILogger.BeginScope`: context that every entry logged inside carries
/// (the console shows it with `IncludeScopes`, the JSON format in "Scopes"). They follow the
/// task, like .NET's AsyncLocal: child tasks see their parent's scopes.
///
/// ```swift
/// try await LogScope.with("Order 42") {
///     logger.information("charged")     // info: Shop[0]  => Order 42  charged
/// }
/// ```
public enum LogScope {
    /// The innermost scope of the running task.
    @TaskLocal static var current: Scope?

    final class Scope: Sendable {
        let description: String
        let parent: Scope?

        init(_ description: String, parent: Scope?) {
            self.description = description
            self.parent = parent
        }
    }

    /// Runs `operation` inside a scope described by `description`.
    public nonisolated(nonsending) static func with<R>(
        _ description: String, operation: nonisolated(nonsending) () async throws -> R
    ) async rethrows -> R {
        try await $current.withValue(Scope(description, parent: current), operation: operation)
    }

    /// Runs `operation` inside a scope (synchronous code).
    public static func with<R>(_ description: String, operation: () throws -> R) rethrows -> R {
        try $current.withValue(Scope(description, parent: current), operation: operation)
    }

    /// The scopes of the running task, outermost first.
    public static var descriptions: [String] {
        var result: [String] = []
        var scope = current
        while let found = scope {
            result.append(found.description)
            scope = found.parent
        }
        return result.reversed()
    }
}
