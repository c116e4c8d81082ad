#if canImport(HostctlCore)
import HostctlCore
#endif

/// File extensions to media types, for static files (ASP.NET's
/// FileExtensionContentTypeProvider). The table is a plain dictionary an app can extend or
/// trim; an extension it lacks is not served unless `StaticFileOptions.servesUnknownFileTypes`.
///
/// ```swift
/// var types = ContentTypeProvider()
/// types.mappings[".webmanifest"] = "application/manifest+json"
/// types.mappings[".exe"] = nil
/// app.useStaticFiles(StaticFileOptions(contentTypes: types))
/// ```
public struct ContentTypeProvider: Sendable, Equatable {
    /// Lowercase extensions with their dot (".css") to media types.
    public var mappings: [String: String]

    public init(mappings: [String: String] = ContentTypeProvider.standard) {
        self.mappings = mappings
    }

    /// The media type for `path`'s extension (matched without regard to case), or nil.
    public func contentType(forPath path: some StringProtocol) -> String? {
        guard let dot = Self.extensionDot(in: path.utf8) else { return nil }
        let extensionText = path[dot...]
        if let exact = mappings[String(extensionText)] { return exact }
        return mappings[extensionText.lowercased()]
    }

    /// Where the extension of the last segment of `path` starts (its dot), found in one pass
    /// over the bytes; nil when the last segment has no dot. The cheap first answer for the
    /// requests a static-file middleware passes on (`/api/orders`).
    @inline(__always)
    static func extensionDot<Bytes: Collection<UInt8>>(in path: Bytes) -> Bytes.Index? {
        var dot: Bytes.Index?
        var index = path.startIndex
        while index != path.endIndex {
            switch path[index] {
            case UInt8(ascii: "."): dot = index
            case UInt8(ascii: "/"): dot = nil
            default: break
            }
            path.formIndex(after: &index)
        }
        return dot
    }

    /// Whether a response of `contentType` is worth serving from a precompressed sibling
    /// (`.br`, `.gz`): text and text-like formats; images, audio, video and archives are
    /// compressed already.
    public static func isCompressible(_ contentType: String) -> Bool {
        var contentType = contentType
        return contentType.withUTF8 { utf8 in
            // The media type without its parameters ("application/json; charset=utf-8"),
            // compared without regard to case, as media types are (RFC 9110 §8.3.1).
            let bytes = UnsafeRawBufferPointer(utf8)
            var end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
            while end > 0, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
            let mediaType = UnsafeRawBufferPointer(rebasing: bytes[..<end])
            if mediaType.count > 5, ASCII.equalsLowercased(UnsafeRawBufferPointer(rebasing: mediaType[..<5]), "text/") { return true }
            return compressibleTypes.contains { ASCII.equalsLowercased(mediaType, $0) }
        }
    }

    /// Lowercase, as `ASCII.equalsLowercased` wants them.
    static let compressibleTypes: [StaticString] = [
        "application/javascript", "application/json", "application/xml", "application/xhtml+xml", "application/rss+xml",
        "application/atom+xml", "application/manifest+json", "application/wasm", "application/ld+json", "application/geo+json",
        "image/svg+xml", "image/x-icon", "font/ttf", "font/otf", "application/vnd.ms-fontobject",
    ]

    /// The common types of the web (a subset of ASP.NET's table, which follows IANA's).
    public static let standard: [String: String] = [
        ".htm": "text/html", ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".mjs": "text/javascript",
        ".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
        ".xml": "text/xml", ".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown", ".ics": "text/calendar",
        ".vtt": "text/vtt", ".xhtml": "application/xhtml+xml", ".rss": "application/rss+xml", ".atom": "application/atom+xml",
        ".wasm": "application/wasm", ".pdf": "application/pdf", ".rtf": "application/rtf",
        ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".gif": "image/gif",
        ".webp": "image/webp", ".avif": "image/avif", ".svg": "image/svg+xml", ".svgz": "image/svg+xml", ".ico": "image/x-icon",
        ".bmp": "image/bmp", ".tif": "image/tiff", ".tiff": "image/tiff", ".apng": "image/apng", ".jxl": "image/jxl",
        ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".eot": "application/vnd.ms-fontobject",
        ".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".oga": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac",
        ".m4a": "audio/mp4", ".aac": "audio/aac", ".opus": "audio/opus", ".weba": "audio/webm",
        ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg", ".mov": "video/quicktime",
        ".avi": "video/x-msvideo", ".mpeg": "video/mpeg", ".mpg": "video/mpeg", ".ts": "video/mp2t",
        ".zip": "application/zip", ".gz": "application/gzip", ".tgz": "application/gzip", ".br": "application/x-brotli",
        ".tar": "application/x-tar", ".7z": "application/x-7z-compressed", ".bz2": "application/x-bzip2", ".xz": "application/x-xz",
        ".zst": "application/zstd", ".jar": "application/java-archive", ".apk": "application/vnd.android.package-archive",
        ".doc": "application/msword", ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xls": "application/vnd.ms-excel", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".ppt": "application/vnd.ms-powerpoint", ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".odt": "application/vnd.oasis.opendocument.text", ".ods": "application/vnd.oasis.opendocument.spreadsheet",
        ".epub": "application/epub+zip", ".bin": "application/octet-stream", ".iso": "application/octet-stream",
        ".dmg": "application/octet-stream", ".exe": "application/vnd.microsoft.portable-executable", ".msi": "application/x-msdownload",
        ".deb": "application/vnd.debian.binary-package", ".rpm": "application/x-rpm", ".swf": "application/x-shockwave-flash",
        ".jsonld": "application/ld+json", ".geojson": "application/geo+json", ".yaml": "application/yaml", ".yml": "application/yaml",
        ".toml": "application/toml", ".sh": "application/x-sh", ".appcache": "text/cache-manifest",
    ]
}
