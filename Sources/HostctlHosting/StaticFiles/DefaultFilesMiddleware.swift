import HostctlSystem

extension ApplicationBuilder {
    /// Serves a folder's default page (`index.html` and the others of
    /// `DefaultFilesOptions.fileNames`), as ASP.NET's `UseDefaultFiles`: a GET or HEAD for
    /// `/docs/` whose folder has one is rewritten to `/docs/index.html` for the static file
    /// middleware after it (add `useStaticFiles` next, or use `useFileServer`); `/docs`
    /// without the slash is redirected (301) to `/docs/` first.
    public func useDefaultFiles(_ options: DefaultFilesOptions = DefaultFilesOptions()) {
        let root = WebRoot(path: options.root ?? webRootPath, allowsEscapingLinks: false)
        let prefix = StaticFileRequestPath.normalizedPrefix(options.requestPath)
        let names = options.fileNames
        let redirects = options.redirectsToAppendTrailingSlash
        use { context, next in
            let method = context.request.method
            let path = context.request.path
            guard method == .get || method == .head, let prefixLength = StaticFileRequestPath.matchPrefix(prefix, in: path) else {
                return try await next(context)
            }
            let folder: String
            switch StaticFilePath.classify(path, after: prefixLength) {
            case .directory:
                folder = path
            case .file where redirects && !StaticFileRequestPath.lastSegmentHasExtension(path):
                // A folder named without its slash; a name with an extension is taken for
                // a file without looking (a look would cost every file request a system call).
                folder = path + "/"
            default:
                return try await next(context)
            }
            guard let start = StaticFileRequestPath.firstSegmentStart(folder, after: prefixLength),
                  let name = names.first(where: { root.containsFile(folder, from: start, name: $0) }) else {
                return try await next(context)
            }
            if folder != path {
                context.response.redirect(to: context.request.pathBase + folder + context.request.queryString, permanent: true)
                return
            }
            context.request.path = folder + name
            try await next(context)
        }
    }
}

extension StaticFileRequestPath {
    static func lastSegmentHasExtension(_ path: String) -> Bool {
        for byte in path.utf8.reversed() {
            if byte == UInt8(ascii: "/") { return false }
            if byte == UInt8(ascii: ".") { return true }
        }
        return false
    }

    /// Where the part after the prefix starts (past its leading slashes), for opening.
    static func firstSegmentStart(_ path: String, after prefixLength: Int) -> Int? {
        var offset = prefixLength
        for byte in path.utf8.dropFirst(prefixLength) {
            guard byte == UInt8(ascii: "/") else { break }
            offset += 1
        }
        return offset
    }
}

extension WebRoot {
    /// Whether `folder` (bytes `start...` of it, a path ending in "/") holds a regular file `name`.
    func containsFile(_ folder: String, from start: Int, name: String) -> Bool {
        guard case .file(let descriptor, _) = open(folder, from: start, suffix: name) else { return false }
        Descriptor.close(descriptor)
        return true
    }
}
