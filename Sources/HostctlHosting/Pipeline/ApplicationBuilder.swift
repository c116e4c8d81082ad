import HostctlCore
import HostctlLogging
import HostctlSystem

/// A request handler: the end of a pipeline, or a whole pipeline once built. It runs on
/// its caller's executor (the connection's event loop), so calling it never switches threads.
public typealias RequestHandler = nonisolated(nonsending) @Sendable (HTTPContext) async throws -> Void

/// Middleware: does its work, and calls `next` to pass the request on (or does not, to
/// answer it itself).
public typealias Middleware = nonisolated(nonsending) @Sendable (_ context: HTTPContext, _ next: RequestHandler) async throws -> Void

/// Builds a request pipeline: middleware in the order added, then the routes.
///
/// ```swift
/// app.use { context, next in
///     let started = ContinuousClock.now
///     try await next(context)
///     print("\(context.request.path) took \(ContinuousClock.now - started)")
/// }
/// app.map("/admin") { admin in admin.get("/") { try await $0.response.write("admin") } }
/// app.get("/users/{id:int}") { context in ... }
/// ```
public class ApplicationBuilder: @unchecked Sendable {
    private var middleware: [MiddlewareBox] = []
    public let router = Router()
    /// Where middleware that logs (`useHttpLogging`, `useStaticFiles`) gets its loggers. A
    /// `WebApplication` sets the app's; a plain builder (an in-memory test) logs nothing
    /// unless given one.
    public var loggerFactory: LoggerFactory = .disabled()
    /// Where `useStaticFiles()` serves from by default: the app's web root, or `wwwroot` in
    /// the current directory for a plain builder.
    public var webRootPath: String = FilePath.join((try? FileSystem.currentDirectory()) ?? ".", "wwwroot")
    /// The request log, once `useHttpLogging()` is called: the server runs it around the
    /// whole pipeline (see `HTTPApplication.requestLog`).
    public internal(set) var requestLog: HTTPRequestLog?

    public init() {}

    /// Adds middleware to the pipeline.
    public func use(_ middleware: @escaping Middleware) {
        self.middleware.append(MiddlewareBox(middleware))
    }

    /// Sends requests whose path starts with `prefix` (a whole segment, any case) to a
    /// branch built by `configure`; inside it `pathBase` includes the prefix and `path` is
    /// the rest. A branch that matches no route answers 404.
    public func map(_ prefix: String, _ configure: (ApplicationBuilder) -> Void) {
        let branch = ApplicationBuilder()
        branch.loggerFactory = loggerFactory
        branch.webRootPath = webRootPath
        configure(branch)
        let pipeline = branch.requestLog.map { $0.wrap(branch.build()) } ?? branch.build()
        let trimmed = "/" + prefix.split(separator: "/").joined(separator: "/")
        use { context, next in
            guard let rest = PathPrefix.remainder(of: context.request.path, after: trimmed) else {
                try await next(context)
                return
            }
            let (originalBase, originalPath) = (context.request.pathBase, context.request.path)
            context.request.pathBase = originalBase + trimmed
            context.request.path = rest
            defer {
                context.request.pathBase = originalBase
                context.request.path = originalPath
            }
            try await pipeline(context)
        }
    }

    // MARK: Routes

    /// Adds a route for `methods` (nil: any method). The template is checked now: a bad
    /// template stops the app at start-up with a clear message rather than at request time.
    public func map(_ template: String, methods: [HTTPMethod]?, handler: @escaping RequestHandler) {
        do {
            router.add(try RouteTemplate(template), methods: methods, handler: handler)
        } catch {
            fatalError(error.description)
        }
    }

    public func get(_ template: String, _ handler: @escaping RequestHandler) { map(template, methods: [.get], handler: handler) }
    public func post(_ template: String, _ handler: @escaping RequestHandler) { map(template, methods: [.post], handler: handler) }
    public func put(_ template: String, _ handler: @escaping RequestHandler) { map(template, methods: [.put], handler: handler) }
    public func delete(_ template: String, _ handler: @escaping RequestHandler) { map(template, methods: [.delete], handler: handler) }
    public func patch(_ template: String, _ handler: @escaping RequestHandler) { map(template, methods: [.patch], handler: handler) }

    /// The whole pipeline: the middleware around the router.
    public func build() -> RequestHandler { buildEntry().handler }

    /// The pipeline with its first layer apart (see `PipelineEntry`).
    public func buildEntry() -> PipelineEntry {
        let router = self.router
        var pipeline: RequestHandler = { context in
            switch router.match(path: context.request.path, method: context.request.method, values: &context.routeValues) {
            case .handler(let box):
                try await box.handler(context)
            case .methodNotAllowed(let allowed):
                context.response.status = 405
                context.response.headers["Allow"] = allowed.map(\.rawValue).joined(separator: ", ")
            case .notFound:
                context.response.status = 404
            }
        }
        for box in middleware.dropFirst().reversed() {
            let next = pipeline
            let layer = box.middleware
            pipeline = { context in try await layer(context, next) }
        }
        return PipelineEntry(firstLayer: middleware.first?.middleware, rest: pipeline)
    }
}

/// A pipeline as a server enters it: its first layer, if it has any, and the rest. A
/// built pipeline wraps each layer in a closure that calls it with the rest (the `next` it is
/// given); a server calling the first layer itself, in line, saves that closure's async
/// frame and the executor check as it returns (several hundred instructions a request in
/// Swift 6.3), which is why `HTTPApplication` keeps its entry.
public struct PipelineEntry: Sendable {
    public let firstLayer: Middleware?
    public let rest: RequestHandler

    public init(firstLayer: Middleware?, rest: @escaping RequestHandler) {
        self.firstLayer = firstLayer
        self.rest = rest
    }

    /// A pipeline already in one closure.
    public init(_ handler: @escaping RequestHandler) {
        self.init(firstLayer: nil, rest: handler)
    }

    /// The pipeline in one closure (the first layer wrapped around the rest).
    public var handler: RequestHandler {
        guard let firstLayer else { return rest }
        let rest = self.rest
        return { context in try await firstLayer(context, rest) }
    }

    /// Runs the request through the pipeline. Inlined into the server, so the first layer is
    /// called from the server's own frame.
    @inlinable
    public func run(_ context: HTTPContext) async throws {
        if let firstLayer { try await firstLayer(context, rest) } else { try await rest(context) }
    }
}

/// A closure kept in a class, so storing it in an array does not re-abstract it: a closure
/// stored directly as an array element is called through a conversion thunk, an extra
/// async frame on every request.
final class MiddlewareBox: Sendable {
    let middleware: Middleware
    init(_ middleware: @escaping Middleware) { self.middleware = middleware }
}

public final class HandlerBox: Sendable {
    public let handler: RequestHandler
    init(_ handler: @escaping RequestHandler) { self.handler = handler }
}

/// Whole-segment, case-insensitive path prefixes.
enum PathPrefix {
    /// The rest of `path` after `prefix` ("/" when nothing is left), or nil if it does not start with it.
    static func remainder(of path: String, after prefix: String) -> String? {
        let pathBytes = Array(path.utf8), prefixBytes = Array(prefix.utf8)
        guard pathBytes.count >= prefixBytes.count else { return nil }
        for i in 0..<prefixBytes.count where ASCII.lowercase(pathBytes[i]) != ASCII.lowercase(prefixBytes[i]) { return nil }
        if pathBytes.count == prefixBytes.count { return "/" }
        guard pathBytes[prefixBytes.count] == UInt8(ascii: "/") else { return nil }
        return String(decoding: pathBytes[prefixBytes.count...], as: UTF8.self)
    }
}
