/// How `useStaticFiles` serves (ASP.NET's StaticFileOptions, plus what nginx's
/// `gzip_static` and `disable_symlinks` do).
public struct StaticFileOptions: Sendable {
    /// The folder to serve; nil: the app's web root (`wwwroot` under the content root).
    public var root: String?
    /// The URL path the folder appears under ("" for the site root, "/static" for
    /// `/static/css/site.css`), matched by whole segments without regard to case.
    public var requestPath: String
    public var contentTypes: ContentTypeProvider
    /// Serve files whose extension has no media type, as `defaultContentType`. Off by default,
    /// as in ASP.NET: a file the table does not know may not be meant for the web.
    public var servesUnknownFileTypes = false
    public var defaultContentType = "application/octet-stream"
    /// Send `name.br` or `name.gz`, when present beside `name` and the client accepts that
    /// coding, for text-like types, with `Content-Encoding` and `Vary: Accept-Encoding`.
    public var servesPrecompressedFiles = true
    /// Follow symbolic links that lead out of the root. Off by default: a link inside the
    /// root to a file outside it is then as missing as the file.
    public var allowsSymbolicLinksOutsideRoot = false
    /// More ranges than this in one request (after merging overlaps) get the whole file.
    public var maxRanges = 16
    /// Files up to this size are kept in memory once served (as IIS's file cache keeps
    /// them), watched through inotify and dropped on any change to them or to a folder
    /// above them, so a request sent after a change always gets the new file. 0 turns the
    /// cache off. Larger files are opened per request and sent without copying.
    public var maxCachedFileBytes = 16 * 1024
    /// How many files (each with its precompressed siblings) the cache keeps at most.
    public var maxCachedFiles = 1024
    /// Called with the response's headers set, before it is sent (to add Cache-Control, say).
    public var onPrepareResponse: (@Sendable (HTTPContext) -> Void)?

    public init(root: String? = nil, requestPath: String = "", contentTypes: ContentTypeProvider = ContentTypeProvider()) {
        self.root = root
        self.requestPath = requestPath
        self.contentTypes = contentTypes
    }
}

/// How `useDefaultFiles` finds a folder's page (ASP.NET's DefaultFilesOptions).
public struct DefaultFilesOptions: Sendable {
    /// The folder; nil: the app's web root.
    public var root: String?
    public var requestPath: String
    /// Tried in order.
    public var fileNames = ["default.htm", "default.html", "index.htm", "index.html"]
    /// `/docs` (a folder with a default page) redirects to `/docs/` (301), so relative links
    /// in the page resolve inside the folder.
    public var redirectsToAppendTrailingSlash = true

    public init(root: String? = nil, requestPath: String = "") {
        self.root = root
        self.requestPath = requestPath
    }
}
