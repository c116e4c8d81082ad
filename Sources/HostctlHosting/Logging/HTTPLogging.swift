import HostctlCore
import HostctlLogging
import HostctlSystem

extension ApplicationBuilder {
    /// Logs one line per request once it has been answered (ASP.NET's `UseHttpLogging`, in
    /// the shape of a W3C access log): method, path and query as requested, protocol, the
    /// status sent (an error the app threw counts as the status it became), body bytes and
    /// the time the request took, at Information in
    /// `Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware` (event 1):
    ///
    ///     info: Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware[1]
    ///           GET /index.html HTTP/1.1 200 1256 0.412ms
    ///
    /// The host does it around the whole pipeline (as ASP.NET's host logs "Request finished")
    /// rather than as a layer of it, wherever it is called: a pipeline layer costs every
    /// request two async frames and their executor checks (about 1,100 instructions, 8 % of a
    /// plaintext request), while the server calls the log in line. In a `map` branch it
    /// is a layer of that branch. As in ASP.NET, a settings file that lowers
    /// `Microsoft.AspNetCore` to Warning silences it unless it names this category
    /// (`"Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware": "Information"`). Turned
    /// off by configuration, it costs one atomic load per request.
    public func useHttpLogging() {
        requestLog = HTTPRequestLog(logger: loggerFactory.logger(category: ServerLogCategory.httpLogging))
    }
}

/// The request log as the server runs it: `begin` before the app, `end` once the request is
/// over, both on the request's own thread. What `begin` notes is kept in the context.
public final class HTTPRequestLog: Sendable {
    @usableFromInline let logger: Logger

    init(logger: Logger) { self.logger = logger }

    /// What `begin` noted: the path as requested (the default-files middleware rewrites `/`
    /// to `/index.html`) and the time.
    @usableFromInline
    struct Start {
        let pathBase: String
        let path: String
        let started: Int64
    }

    /// Inlined into the server: switched off, the log costs it a load and a compare.
    @inlinable
    public func begin(_ context: HTTPContext) {
        if logger.isEnabled(.information) { note(context) }
    }

    /// Logs the request `begin` noted, with `status` if given (else the response's).
    @inlinable
    public func end(_ context: HTTPContext, status: Int? = nil) {
        if context.requestLogStart != nil { write(context, status: status) }
    }

    @usableFromInline
    func note(_ context: HTTPContext) {
        context.requestLogStart = Start(pathBase: context.request.pathBase, path: context.request.path, started: MonotonicClock.now())
    }

    @usableFromInline
    func write(_ context: HTTPContext, status: Int?) {
        guard let start = context.requestLogStart else { return }
        context.requestLogStart = nil
        HTTPLogLine.log(
            to: logger, context, (start.pathBase, start.path), status: status ?? context.response.status,
            nanoseconds: MonotonicClock.now() - start.started
        )
    }

    /// The log as a pipeline layer around `next` (a `map` branch's), where no server runs it.
    func wrap(_ next: @escaping RequestHandler) -> RequestHandler {
        { context in
            self.begin(context)
            do {
                try await next(context)
            } catch {
                self.end(context, status: context.response.hasStarted ? context.response.status : HTTPError.status(for: error))
                throw error
            }
            self.end(context)
        }
    }
}

/// The request log's line, written byte by byte into a buffer on the stack and given to the
/// logger as bytes: on a loop thread at a line per request, a String per line (and `+=`,
/// `String(Int)`) cost more than formatting it.
enum HTTPLogLine {
    static func log(to logger: Logger, _ context: HTTPContext, _ target: (pathBase: String, path: String), status: Int, nanoseconds: Int64) {
        let request = context.request
        let method = request.method.rawValue
        let query = request.queryString
        let version: StaticString = switch request.httpVersion {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        case .http2: "HTTP/2"
        }
        let capacity = method.utf8.count + target.pathBase.utf8.count + target.path.utf8.count + query.utf8.count
            + version.utf8CodeUnitCount + 3 * 20 + 12
        let microseconds = max(0, nanoseconds) / 1000
        logger.log(.information, event: 1, utf8Capacity: capacity) { buffer in
            var line = LineWriter(buffer)
            line.append(method)
            line.append(UInt8(ascii: " "))
            line.append(target.pathBase)
            line.append(target.path)
            line.append(query)
            line.append(UInt8(ascii: " "))
            version.withUTF8Buffer { line.append($0) }
            line.append(UInt8(ascii: " "))
            line.appendDecimal(status)
            line.append(UInt8(ascii: " "))
            line.appendDecimal(context.response.bodyBytesWritten)
            line.append(UInt8(ascii: " "))
            line.appendDecimal(Int(microseconds / 1000))
            line.append(UInt8(ascii: "."))
            let fraction = Int(microseconds % 1000)
            line.append(UInt8(ascii: "0") + UInt8(fraction / 100))
            line.append(UInt8(ascii: "0") + UInt8(fraction / 10 % 10))
            line.append(UInt8(ascii: "0") + UInt8(fraction % 10))
            line.append(UInt8(ascii: "m"))
            line.append(UInt8(ascii: "s"))
            return line.count
        }
    }

    /// Appends into a buffer whose capacity was counted beforehand.
    private struct LineWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        init(_ buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

        mutating func append(_ byte: UInt8) {
            buffer[count] = byte
            count += 1
        }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
            (buffer.baseAddress! + count).update(from: base, count: bytes.count)
            count += bytes.count
        }

        mutating func append(_ text: String) {
            text.withUTF8Bytes { append($0.assumingMemoryBound(to: UInt8.self)) }
        }

        /// A non-negative decimal (a negative one, which no caller passes, as 0).
        mutating func appendDecimal(_ value: Int) {
            count += ASCIIDigits.write(UInt64(max(0, value)), radix: 10, to: UnsafeMutableRawPointer(buffer.baseAddress! + count))
        }
    }
}
