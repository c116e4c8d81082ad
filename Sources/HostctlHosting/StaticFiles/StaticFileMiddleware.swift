import Glibc
import HostctlCore
import HostctlLogging
import HostctlSystem

extension ApplicationBuilder {
    /// Serves files from the web root (or `options.root`), as ASP.NET's `UseStaticFiles`:
    /// GET and HEAD for files whose extension has a media type; anything else goes on down
    /// the pipeline. Responses carry `ETag`, `Last-Modified` and `Accept-Ranges`; they
    /// answer 304 to `If-None-Match` / `If-Modified-Since`, 412 to a failed `If-Match` /
    /// `If-Unmodified-Since`, 206 to `Range` (several ranges as `multipart/byteranges`,
    /// honouring `If-Range`) and 416 to a range past the end; a precompressed `.br` or `.gz`
    /// sibling is sent when the client accepts it. The bytes go out through
    /// `HTTPResponse.sendFile`: without copying where the server can.
    ///
    /// Never served: paths with `.` or `..` segments (also written `%2e%2e`), an encoded
    /// slash (`%2F`), control bytes, any segment starting with `.` (hidden files and
    /// folders), anything that is not a regular file (folders, FIFOs, devices), and (unless
    /// `allowsSymbolicLinksOutsideRoot`) anything a symbolic link leads to outside the root:
    /// the kernel refuses to resolve out of it (see `WebRoot`). Such requests go on down the
    /// pipeline, which usually means 404.
    ///
    /// ```swift
    /// app.useStaticFiles()                                           // wwwroot at /
    /// app.useStaticFiles(StaticFileOptions(root: "/srv/media", requestPath: "/media"))
    /// ```
    public func useStaticFiles(_ options: StaticFileOptions = StaticFileOptions()) {
        let middleware = StaticFileMiddleware(
            options: options, root: WebRoot(path: options.root ?? webRootPath, allowsEscapingLinks: options.allowsSymbolicLinksOutsideRoot),
            logger: loggerFactory.logger(category: ServerLogCategory.staticFiles)
        )
        // The decision is synchronous; the layer awaits at most one thing (the rest of the
        // pipeline, or the sending), so a request costs one async frame here, not two.
        use { context, next in
            switch middleware.prepare(context) {
            case .passOn:
                try await next(context)
            case .answered(let files):
                files.close()
            case .send(let body, let files, let offset, let count):
                defer { files.close() }
                try await body.send(offset: offset, count: count, to: context.response)
            case .sendRanges(let body, let files, let multipart):
                defer { files.close() }
                try await multipart.send(body, to: context.response)
            }
        }
    }

    /// `useDefaultFiles` then `useStaticFiles` on the same folder (ASP.NET's `UseFileServer`,
    /// without directory browsing).
    public func useFileServer(_ options: StaticFileOptions = StaticFileOptions()) {
        useDefaultFiles(DefaultFilesOptions(root: options.root, requestPath: options.requestPath))
        useStaticFiles(options)
    }
}

/// Serves one request from a `WebRoot`, or passes it on.
final class StaticFileMiddleware: Sendable {
    let options: StaticFileOptions
    let root: WebRoot
    let logger: Logger
    /// The request path prefix without its trailing slash ("" or "/static").
    let prefix: String

    /// ASP.NET's StaticFileMiddleware events, at its levels (a served file is Information:
    /// a settings file that keeps `Microsoft.AspNetCore` at Warning keeps it quiet).
    static let fileNotFound = EventID(5, name: "FileNotFound")
    static let sendingFileRange = EventID(10, name: "SendingFileRange")

    /// The provider's table, compiled for per-request lookups.
    let types: ContentTypeTable
    /// `options.defaultContentType` for files of unknown types, when those are served.
    let unknownType: ContentTypeTable.Entry
    /// ETag and Last-Modified of the files served lately.
    let validatorValues = FileValidatorCache()
    /// Small files served lately, whole.
    let cache: SmallFileCache

    init(options: StaticFileOptions, root: WebRoot, logger: Logger) {
        self.options = options
        self.root = root
        self.logger = logger
        prefix = StaticFileRequestPath.normalizedPrefix(options.requestPath)
        types = ContentTypeTable(options.contentTypes)
        unknownType = ContentTypeTable.Entry(
            contentType: options.defaultContentType, isCompressible: ContentTypeProvider.isCompressible(options.defaultContentType)
        )
        cache = SmallFileCache(maxFileBytes: options.maxCachedFileBytes, maxEntries: options.maxCachedFiles)
    }

    /// What a request path names: where its relative part starts and its type's entry.
    private enum Located {
        case file(relativeStart: Int, type: ContentTypeTable.Entry)
        case passOn
    }

    /// Prefix, path rules and type, all over the path's bytes in one borrow.
    private func locate(_ path: String) -> Located {
        var bytes = path
        return bytes.withUTF8 { utf8 in
            // Most requests an app gets name no file (`/api/orders`): passed on before any other work.
            let dot = ContentTypeProvider.extensionDot(in: utf8)
            guard options.servesUnknownFileTypes || dot != nil else { return .passOn }
            guard let prefixLength = StaticFileRequestPath.matchPrefix(prefix, in: path) else { return .passOn }
            let start: Int
            switch StaticFilePath.classify(utf8, after: prefixLength) {
            case .file(let relativeStart):
                start = relativeStart
            case .directory:
                return .passOn
            case .refused(let refusal):
                logger.debug("The request path \(path) does not match an existing file (refused: \(refusal)).", event: Self.fileNotFound)
                return .passOn
            }
            if let dot, let known = types.entry(extensionAt: dot, in: utf8) { return .file(relativeStart: start, type: known) }
            if options.servesUnknownFileTypes { return .file(relativeStart: start, type: unknownType) }
            logger.debug("The request path \(path) does not match a supported file type", event: EventID(4, name: "FileTypeNotSupported"))
            return .passOn
        }
    }

    /// What `prepare` decided. Whatever it opened travels with it, to be closed once the
    /// response is sent (or at once when nothing is left to send).
    enum Reply {
        /// Not a file this middleware serves: the rest of the pipeline answers.
        case passOn
        /// The response is complete without a body to send (HEAD, 304, 412, 416).
        case answered(OpenFiles)
        case send(StaticFileBody, OpenFiles, offset: Int64, count: Int64)
        case sendRanges(StaticFileBody, OpenFiles, MultipartByteRanges)
    }

    /// The descriptors opened for a request (the file, a precompressed sibling; -1 for none).
    struct OpenFiles {
        let file: Int32
        let sibling: Int32

        static let none = OpenFiles(file: -1, sibling: -1)

        /// The one whose bytes are sent: the sibling when there is one.
        var sent: Int32 { sibling >= 0 ? sibling : file }

        func close() {
            if file >= 0 { Descriptor.close(file) }
            if sibling >= 0 { Descriptor.close(sibling) }
        }
    }

    /// The file chosen for a request (itself, or a precompressed sibling): its status, its
    /// validators when the cache knows them, and where its bytes come from.
    struct ChosenFile {
        let status: FileStatus
        let coding: ContentCodingChoice.Coding?
        let body: StaticFileBody
        let validators: FileValidatorCache.Values?
        let opened: OpenFiles

        init(cached: SmallFileCache.File, coding: ContentCodingChoice.Coding?) {
            (status, self.coding, body, validators, opened) = (cached.status, coding, .memory(cached.content), cached.validators, .none)
        }

        init(status: FileStatus, coding: ContentCodingChoice.Coding?, opened: OpenFiles) {
            (self.status, self.coding, body, validators, self.opened) = (status, coding, .descriptor(opened.sent), nil, opened)
        }
    }

    private enum Found {
        case file(ChosenFile)
        case missing(WebRoot.Missing)
    }

    /// The file for `path` (bytes `start...` below the root), or the first of its siblings in
    /// `codings` that exists: from the cache, or opened (and cached when small).
    private func find(_ path: String, from start: Int, codings: [ContentCodingChoice.Coding]) -> Found {
        guard cache.isEnabled, let opening = root.cacheableOpening() else { return open(path, from: start, codings: codings) }
        let lookup = cache.lookup(path, rootOpening: opening)
        func keep(_ entry: SmallFileCache.Entry) { cache.store(entry, for: path, generation: lookup.generation, rootOpening: opening) }
        var entry: SmallFileCache.Entry
        if let cached = lookup.entry {
            entry = cached
        } else {
            switch root.open(path, from: start) {
            case .missing(let reason):
                return .missing(reason)
            case .file(let descriptor, let status):
                guard let file = take(descriptor, status: status, path, from: start, coding: nil) else {
                    return .file(openSiblings(of: descriptor, status: status, path, from: start, codings: codings))
                }
                entry = SmallFileCache.Entry(file: file)
                keep(entry)
            }
        }
        for coding in codings {
            switch entry[coding] {
            case .missing:
                continue
            case .file(let file):
                return .file(ChosenFile(cached: file, coding: coding))
            case .unknown:
                switch root.open(path, from: start, suffix: coding.fileExtension) {
                case .file(let descriptor, let status):
                    guard let file = take(descriptor, status: status, path, from: start, coding: coding) else {
                        return .file(ChosenFile(status: status, coding: coding, opened: OpenFiles(file: -1, sibling: descriptor)))
                    }
                    entry[coding] = .file(file)
                    keep(entry)
                    return .file(ChosenFile(cached: file, coding: coding))
                case .missing(.notFound):
                    entry[coding] = .missing
                    keep(entry)
                case .missing:
                    continue
                }
            }
        }
        return .file(ChosenFile(cached: entry.file, coding: nil))
    }

    /// Without the cache: the file opened, then its siblings in `codings` tried in order.
    private func open(_ path: String, from start: Int, codings: [ContentCodingChoice.Coding]) -> Found {
        switch root.open(path, from: start) {
        case .file(let descriptor, let status):
            return .file(openSiblings(of: descriptor, status: status, path, from: start, codings: codings))
        case .missing(let reason):
            return .missing(reason)
        }
    }

    private func openSiblings(
        of descriptor: Int32, status: FileStatus, _ path: String, from start: Int, codings: [ContentCodingChoice.Coding]
    ) -> ChosenFile {
        for coding in codings {
            if case .file(let opened, let openedStatus) = root.open(path, from: start, suffix: coding.fileExtension) {
                return ChosenFile(status: openedStatus, coding: coding, opened: OpenFiles(file: descriptor, sibling: opened))
            }
        }
        return ChosenFile(status: status, coding: nil, opened: OpenFiles(file: descriptor, sibling: -1))
    }

    /// The open file read into the cache's form, its descriptor then closed; nil (the
    /// descriptor left open) when the cache does not take it.
    private func take(
        _ descriptor: Int32, status: FileStatus, _ path: String, from start: Int, coding: ContentCodingChoice.Coding?
    ) -> SmallFileCache.File? {
        let file = cache.capture(descriptor, status: status, below: root, relativePath: path.utf8.dropFirst(start), suffix: coding?.fileExtension ?? "") {
            fileValidators(status, coding: coding)
        }
        if file != nil { Descriptor.close(descriptor) }
        return file
    }

    /// ETag and Last-Modified of a file (or sibling) with this status: made once, then kept
    /// by what they are made of.
    private func fileValidators(_ status: FileStatus, coding: ContentCodingChoice.Coding?) -> FileValidatorCache.Values {
        validatorValues.values(modified: status.modified, size: status.size, coding: coding) {
            FileValidatorCache.Values(
                entityTag: StaticFileHeaders.entityTag(status, coding: coding),
                lastModified: HTTPDate.string(secondsSinceEpoch: Int(status.modified / 1_000_000_000))
            )
        }
    }

    /// Everything but the sending, synchronously: finds and opens the file, evaluates the
    /// conditional and range fields, and sets the response's status and fields.
    func prepare(_ context: HTTPContext) -> Reply {
        let request = context.request
        let method = request.method
        guard method == .get || method == .head else { return .passOn }
        let path = request.path
        guard case .file(let start, let type) = locate(path) else { return .passOn }
        let contentType = type.contentType
        let fields = StaticFileRequestFields(request.headers)
        let compressible = options.servesPrecompressedFiles && type.isCompressible
        let codings = compressible ? fields.acceptEncoding.map(ContentCodingChoice.acceptable) ?? [] : []
        let file: ChosenFile
        switch find(path, from: start, codings: codings) {
        case .file(let chosen):
            file = chosen
        case .missing(let reason):
            logger.debug("The request path \(path) does not match an existing file (\(reason)).", event: Self.fileNotFound)
            return .passOn
        }
        let coding = file.coding

        let response = context.response
        let modifiedSeconds = Int(file.status.modified / 1_000_000_000)
        let values = file.validators ?? fileValidators(file.status, coding: coding)
        let validators = ConditionalRequest.Validators(entityTag: values.entityTag, lastModified: modifiedSeconds)
        response.headers["Last-Modified"] = values.lastModified
        response.headers["ETag"] = values.entityTag
        if compressible { response.headers["Vary"] = "Accept-Encoding" }

        let files = file.opened
        switch ConditionalRequest.evaluate(fields, validators: validators) {
        case .notModified:
            response.status = 304
            options.onPrepareResponse?(context)
            logger.information("The file \(path) was not modified", event: EventID(6, name: "FileNotModified"))
            return .answered(files)
        case .preconditionFailed:
            response.status = 412
            response.contentLength = 0
            options.onPrepareResponse?(context)
            logger.information("Precondition for \(path) failed", event: EventID(7, name: "PreconditionFailed"))
            return .answered(files)
        case .serve(let rangeApplies):
            response.headers["Accept-Ranges"] = "bytes"
            if let coding { response.headers["Content-Encoding"] = coding.rawValue }
            let length = file.status.size
            var ranges = ByteRanges.whole
            if rangeApplies, let header = fields.range {
                ranges = ByteRanges.evaluate(header, length: length, maxRanges: options.maxRanges)
            }
            switch ranges {
            case .whole:
                response.contentType = contentType
                response.contentLength = Int(length)
                options.onPrepareResponse?(context)
                logger.information(
                    "Sending file. Request path: '\(path)'. Physical path: '\(root.path)/\(Substring(path.utf8.dropFirst(start)))'",
                    event: EventID(2, name: "FileServed")
                )
                return method == .get ? .send(file.body, files, offset: 0, count: length) : .answered(files)
            case .unsatisfiable:
                response.status = 416
                response.headers["Content-Range"] = "bytes */\(length)"
                response.contentLength = 0
                options.onPrepareResponse?(context)
                logger.warning("Range not satisfiable for \(path)", event: EventID(9, name: "RangeNotSatisfiable"))
                return .answered(files)
            case .satisfiable(let parts) where parts.count == 1:
                let part = parts[0]
                response.status = 206
                response.contentType = contentType
                response.headers["Content-Range"] = "bytes \(part.lowerBound)-\(part.upperBound)/\(length)"
                response.contentLength = Int(part.count)
                options.onPrepareResponse?(context)
                logger.information("Sending bytes \(part.lowerBound)-\(part.upperBound) of file \(path)", event: Self.sendingFileRange)
                return method == .get ? .send(file.body, files, offset: part.lowerBound, count: Int64(part.count)) : .answered(files)
            case .satisfiable(let parts):
                let multipart = MultipartByteRanges(parts: parts, contentType: contentType, length: length)
                response.status = 206
                response.contentType = "multipart/byteranges; boundary=\(multipart.boundary)"
                response.contentLength = multipart.contentLength
                options.onPrepareResponse?(context)
                logger.information("Sending \(parts.count) ranges of file \(path)", event: Self.sendingFileRange)
                return method == .get ? .sendRanges(file.body, files, multipart) : .answered(files)
            }
        }
    }
}

/// The `multipart/byteranges` body of RFC 9110 §14.6: each range after a boundary line
/// and its own Content-Type and Content-Range, then the closing boundary.
struct MultipartByteRanges {
    let parts: [ClosedRange<Int64>]
    let boundary: String
    let partHeads: [String]
    let closing: String

    init(parts: [ClosedRange<Int64>], contentType: String, length: Int64) {
        self.parts = parts
        // Random, so it cannot be in the file by accident (nor guessed to be planted there).
        let boundary = String(UInt64.random(in: .min ... .max), radix: 16) + String(UInt64.random(in: .min ... .max), radix: 16)
        self.boundary = boundary
        partHeads = parts.enumerated().map { index, part in
            "\(index == 0 ? "" : "\r\n")--\(boundary)\r\nContent-Type: \(contentType)\r\nContent-Range: bytes \(part.lowerBound)-\(part.upperBound)/\(length)\r\n\r\n"
        }
        closing = "\r\n--\(boundary)--\r\n"
    }

    var contentLength: Int {
        partHeads.reduce(closing.utf8.count) { $0 + $1.utf8.count } + parts.reduce(0) { $0 + Int($1.count) }
    }

    func send(_ body: StaticFileBody, to response: HTTPResponse) async throws {
        for (head, part) in zip(partHeads, parts) {
            try await response.write(head)
            try await body.send(offset: part.lowerBound, count: Int64(part.count), to: response)
        }
        try await response.write(closing)
    }
}

enum StaticFileHeaders {
    /// A strong tag from what changes when the file does (modification time in nanoseconds
    /// and size), and the coding, so each precompressed sibling has its own.
    static func entityTag(_ status: FileStatus, coding: ContentCodingChoice.Coding?) -> String {
        entityTag(modified: status.modified, size: status.size, coding: coding)
    }

    /// `"<mtime ns in hex>-<size in hex>[-coding]"`, written into one string (per request).
    static func entityTag(modified: Int64, size: Int64, coding: ContentCodingChoice.Coding?) -> String {
        let suffix = coding?.rawValue ?? ""
        return String(unsafeUninitializedCapacity: 2 * 16 + 4 + suffix.utf8.count) { buffer in
            var count = 0
            func append(_ byte: UInt8) {
                buffer[count] = byte
                count += 1
            }
            func appendHex(_ value: UInt64) {
                count += ASCIIDigits.write(value, radix: 16, to: UnsafeMutableRawPointer(buffer.baseAddress! + count))
            }
            append(UInt8(ascii: "\""))
            appendHex(UInt64(bitPattern: modified))
            append(UInt8(ascii: "-"))
            appendHex(UInt64(bitPattern: size))
            if !suffix.isEmpty {
                append(UInt8(ascii: "-"))
                for byte in suffix.utf8 { append(byte) }
            }
            append(UInt8(ascii: "\""))
            return count
        }
    }
}

/// Request-path prefixes ("/static"), matched by whole segments without regard to case.
enum StaticFileRequestPath {
    static func normalizedPrefix(_ requestPath: String) -> String {
        let trimmed = requestPath.split(separator: "/").joined(separator: "/")
        return trimmed.isEmpty ? "" : "/" + trimmed
    }

    /// The byte length of `prefix` in `path` when `path` starts with it as whole segments.
    static func matchPrefix(_ prefix: String, in path: String) -> Int? {
        if prefix.isEmpty { return 0 }
        let pathBytes = path.utf8, prefixBytes = prefix.utf8
        guard pathBytes.count >= prefixBytes.count else { return nil }
        var pathIndex = pathBytes.startIndex
        for byte in prefixBytes {
            guard ASCII.lowercase(pathBytes[pathIndex]) == ASCII.lowercase(byte) else { return nil }
            pathIndex = pathBytes.index(after: pathIndex)
        }
        guard pathIndex == pathBytes.endIndex || pathBytes[pathIndex] == UInt8(ascii: "/") else { return nil }
        return prefixBytes.count
    }
}
