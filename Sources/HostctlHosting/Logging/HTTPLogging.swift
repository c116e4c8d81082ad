import HostctlCore
import HostctlLogging
import HostctlSystem

extension ApplicationBuilder {
    /// Logs one line per request once the app has answered it (ASP.NET's `UseHttpLogging`,
    /// in the shape of a W3C access log): method, path and query, protocol, status, body
    /// bytes and the time the pipeline took, at Information in
    /// `Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware` (event 1):
    ///
    ///     info: Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware[1]
    ///           GET /index.html HTTP/1.1 200 1256 0.412ms
    ///
    /// Add it first, so the time covers every middleware. As in ASP.NET, a settings file
    /// that lowers `Microsoft.AspNetCore` to Warning silences it unless it names this
    /// category (`"Microsoft.AspNetCore.HttpLogging.HttpLoggingMiddleware": "Information"`).
    /// Turned off by configuration, it costs one atomic load per request.
    public func useHttpLogging() {
        let logger = loggerFactory.logger(category: ServerLogCategory.httpLogging)
        use { context, next in
            guard logger.isEnabled(.information) else {
                try await next(context)
                return
            }
            // The path as requested (the default-files middleware rewrites `/` to `/index.html`).
            let target = (pathBase: context.request.pathBase, path: context.request.path)
            let started = MonotonicClock.now()
            do {
                try await next(context)
            } catch {
                let status = context.response.hasStarted ? context.response.status : (error as? HTTPResponseError)?.status ?? 500
                logger.information(HTTPLogLine.make(context, target, status: status, nanoseconds: MonotonicClock.now() - started), event: 1)
                throw error
            }
            logger.information(
                HTTPLogLine.make(context, target, status: context.response.status, nanoseconds: MonotonicClock.now() - started), event: 1
            )
        }
    }
}

/// The request log's line, written byte by byte into one string of exact capacity: on a
/// loop thread at a line per request, `+=` and `String(Int)` cost a third of the log's time.
enum HTTPLogLine {
    static func make(_ context: HTTPContext, _ target: (pathBase: String, path: String), status: Int, nanoseconds: Int64) -> String {
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
        return String(unsafeUninitializedCapacity: capacity) { buffer in
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
            var text = text
            text.withUTF8 { append($0) }
        }

        /// A non-negative decimal (a negative one, which no caller passes, as 0).
        mutating func appendDecimal(_ value: Int) {
            count += ASCIIDigits.write(UInt64(max(0, value)), radix: 10, to: UnsafeMutableRawPointer(buffer.baseAddress! + count))
        }
    }
}
