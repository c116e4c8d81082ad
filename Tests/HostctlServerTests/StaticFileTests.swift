import Glibc
import HostctlTestSupport
import Hostctl
import HostctlSystem
import Testing

/// Static files over real sockets, on both servers: headers and statuses, conditional and
/// range requests, precompressed siblings, and every way out of the root refused.
@Suite struct StaticFileTests {
    /// A web root with one of everything, inside a folder that also holds a secret.
    final class Site: @unchecked Sendable {
        let folder: TemporaryFolder
        let root: String
        let stylesheet = Array("body { color: #512bd4; }\n".utf8)
        var big: [UInt8] { Self.bigContent }
        let hasDevice: Bool

        /// 1 MiB and a bit of noise (made once: debug builds are slow at it), so no run of
        /// bytes repeats where a misplaced chunk could hide.
        static let bigContent: [UInt8] = {
            var state: UInt64 = 0x9E37_79B9_7F4A_7C15
            var bytes = [UInt8](repeating: 0, count: (1 << 20) + 17)
            bytes.withUnsafeMutableBytes { raw in
                for index in stride(from: 0, to: raw.count - 8, by: 8) {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    raw.storeBytes(of: state, toByteOffset: index, as: UInt64.self)
                }
            }
            return bytes
        }()

        init() throws {
            folder = try TemporaryFolder("static")
            root = folder.file("wwwroot")
            try folder.write("secret.txt", "the secret outside the root")
            try folder.write("wwwroot/index.html", "<h1>home</h1>")
            try folder.write("wwwroot/css/site.css", stylesheet)
            try folder.write("wwwroot/css/site.css.br", "BROTLI-BYTES")
            try folder.write("wwwroot/css/site.css.gz", "GZIP-BYTES")
            try folder.write("wwwroot/docs/index.html", "<h1>docs</h1>")
            try folder.write("wwwroot/empty.txt", "")
            try folder.write("wwwroot/.secret.txt", "hidden")
            try folder.write("wwwroot/.git/config", "[core]")
            try folder.write("wwwroot/sub/.hidden/x.txt", "hidden too")
            try folder.write("wwwroot/unknown.xyz", "unknown type")
            try folder.write("wwwroot/big.bin", Self.bigContent)
            symlink("../secret.txt", folder.file("wwwroot/escape.txt"))
            symlink(folder.file("secret.txt"), folder.file("wwwroot/absolute.txt"))
            symlink("css/site.css", folder.file("wwwroot/inside.css"))
            mkfifo(folder.file("wwwroot/pipe.txt"), 0o644)
            // A device node needs CAP_MKNOD, which a container may not grant: then the FIFO
            // stands for special files alone (the test says which).
            hasDevice = mknod(folder.file("wwwroot/null.txt"), S_IFCHR | 0o666, (1 << 8) | 3) == 0  // 1:3, /dev/null
        }
    }

    static func server(_ kind: ServerUnderTest, _ site: Site, options: StaticFileOptions? = nil) async throws -> TestServer {
        try await TestServer(kind) { app in
            var staticOptions = options ?? StaticFileOptions()
            staticOptions.root = site.root
            app.useDefaultFiles(DefaultFilesOptions(root: site.root))
            app.useStaticFiles(staticOptions)
            app.get("/api") { try await $0.response.write("api") }
        }
    }

    static func head(_ server: TestServer, _ target: String, headers: String = "") throws -> TestResponse {
        let client = try server.client()
        try client.send("HEAD \(target) HTTP/1.1\r\nHost: localhost\r\n\(headers)\r\n")
        return try client.readResponse(head: true)
    }

    @Test(arguments: ServerUnderTest.allCases) func aFileWithItsHeaders(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let response = try server.get("/css/site.css")
        #expect(response.status == 200)
        #expect(response.body == site.stylesheet)
        #expect(response.headers["content-type"] == "text/css")
        #expect(response.headers["content-length"] == String(site.stylesheet.count))
        #expect(response.headers["accept-ranges"] == "bytes")
        #expect(response.headers["vary"] == "Accept-Encoding")
        #expect(response.headers["content-encoding"] == nil)
        let etag = try #require(response.headers["etag"])
        #expect(etag.hasPrefix("\"") && etag.hasSuffix("\""))
        let status = try #require(FileSystem.status(FilePath.join(site.root, "css/site.css")))
        #expect(response.headers["last-modified"] == HTTPDate.string(secondsSinceEpoch: Int(status.modified / 1_000_000_000)))

        let head = try Self.head(server, "/css/site.css")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.headers["content-length"] == String(site.stylesheet.count) && head.headers["etag"] == etag)

        let empty = try server.get("/empty.txt")
        #expect(empty.status == 200 && empty.body.isEmpty && empty.headers["content-length"] == "0")
        #expect(try server.get("/api").text == "api", "what is not a file goes on down the pipeline")
        await server.stop()
    }

    /// The validators of a file served before are remembered (by time, size and coding): a
    /// file changed since gets new ones at once, and the old tag no longer answers 304.
    @Test(arguments: ServerUnderTest.allCases) func aChangedFileGetsNewValidators(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let first = try server.get("/empty.txt")
        let etag = try #require(first.headers["etag"])
        #expect(try server.get("/empty.txt").headers["etag"] == etag, "the same file, the same tag")

        try site.folder.write("wwwroot/empty.txt", "not empty any more")
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: 1_000_000_000, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, site.folder.file("wwwroot/empty.txt"), &times, 0) == 0)
        let changed = try server.get("/empty.txt", headers: "If-None-Match: \(etag)\r\n")
        #expect(changed.status == 200 && changed.text == "not empty any more", "the old tag no longer matches")
        #expect(changed.headers["etag"] != etag)
        #expect(changed.headers["last-modified"] == "Sun, 09 Sep 2001 01:46:40 GMT")
        await server.stop()
    }

    /// Small files are served from memory once read; every change reaches the next request,
    /// whether it keeps the file's size and time, replaces it, adds or removes a sibling, or
    /// moves a folder above it.
    @Test(arguments: ServerUnderTest.allCases) func cachedFilesChangeWithTheDisk(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let path = site.folder.file("wwwroot/css/site.css")
        #expect(try server.get("/css/site.css").body == site.stylesheet)
        #expect(try server.get("/css/site.css").body == site.stylesheet)

        // The same size and modification time: only the change notification tells.
        let before = try #require(FileSystem.status(path))
        let sameSize = Array("body { color: #00ff00; }\n".utf8)
        #expect(sameSize.count == site.stylesheet.count)
        try site.folder.write("wwwroot/css/site.css", sameSize)
        var times = [timespec(tv_sec: Int(before.modified / 1_000_000_000), tv_nsec: Int(before.modified % 1_000_000_000))]
        times.append(times[0])
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(try server.get("/css/site.css").body == sameSize, "rewritten in place")

        // An editor's save: a new file renamed over the old one.
        try site.folder.write("wwwroot/css/site.css.new", "saved")
        #expect(rename(path + ".new", path) == 0)
        #expect(try server.get("/css/site.css").text == "saved", "replaced by a rename")
        #expect(try server.get("/inside.css").text == "saved", "through a link inside the root")

        FileSystem.removeFile(path + ".br")
        #expect(try server.get("/css/site.css", headers: "Accept-Encoding: br\r\n").text == "saved", "a sibling removed")
        try site.folder.write("wwwroot/css/site.css.br", "NEW-BROTLI")
        #expect(try server.get("/css/site.css", headers: "Accept-Encoding: br\r\n").text == "NEW-BROTLI", "a sibling added")

        #expect(try server.get("/docs/index.html").text == "<h1>docs</h1>")
        #expect(rename(site.folder.file("wwwroot/docs"), site.folder.file("wwwroot/moved")) == 0)
        #expect(try server.get("/docs/index.html").status == 404, "a folder above it moved away")
        #expect(try server.get("/moved/index.html").text == "<h1>docs</h1>")
        await server.stop()
    }

    /// Ranges, several ranges and HEAD of a file served from memory, as from the disk.
    @Test(arguments: ServerUnderTest.allCases) func rangesOfACachedFile(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let css = site.stylesheet
        #expect(try server.get("/css/site.css").body == css, "read from the disk, and kept")
        let one = try server.get("/css/site.css", headers: "Range: bytes=0-3\r\n")
        #expect(one.status == 206 && one.text == "body" && one.headers["content-range"] == "bytes 0-3/\(css.count)")
        let tail = try server.get("/css/site.css", headers: "Range: bytes=-2\r\n")
        #expect(tail.status == 206 && tail.body == Array(css.suffix(2)))
        let multi = try server.get("/css/site.css", headers: "Range: bytes=0-1, 5-6\r\n")
        let contentType = try #require(multi.headers["content-type"])
        let boundary = String(contentType.dropFirst("multipart/byteranges; boundary=".count))
        var expected = Array("--\(boundary)\r\nContent-Type: text/css\r\nContent-Range: bytes 0-1/\(css.count)\r\n\r\nbo".utf8)
        expected += Array("\r\n--\(boundary)\r\nContent-Type: text/css\r\nContent-Range: bytes 5-6/\(css.count)\r\n\r\n{ ".utf8)
        expected += Array("\r\n--\(boundary)--\r\n".utf8)
        #expect(multi.status == 206 && multi.body == expected)
        let head = try Self.head(server, "/css/site.css")
        #expect(head.status == 200 && head.body.isEmpty && head.headers["content-length"] == String(css.count))
        #expect(try server.get("/css/site.css", headers: "Range: bytes=\(css.count)-\r\n").status == 416)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func conditionalRequests(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let first = try server.get("/css/site.css")
        let etag = try #require(first.headers["etag"]), lastModified = try #require(first.headers["last-modified"])

        let byTag = try server.get("/css/site.css", headers: "If-None-Match: \(etag)\r\n")
        #expect(byTag.status == 304 && byTag.body.isEmpty)
        #expect(byTag.headers["etag"] == etag && byTag.headers["last-modified"] == lastModified && byTag.headers["vary"] == "Accept-Encoding")
        let byDate = try server.get("/css/site.css", headers: "If-Modified-Since: \(lastModified)\r\n")
        #expect(byDate.status == 304)
        let stale = try server.get("/css/site.css", headers: "If-None-Match: \"old\"\r\nIf-Modified-Since: \(lastModified)\r\n")
        #expect(stale.status == 200 && stale.body == site.stylesheet, "If-None-Match decides when both are sent")
        let headNotModified = try Self.head(server, "/css/site.css", headers: "If-None-Match: \(etag)\r\n")
        #expect(headNotModified.status == 304)
        let mismatch = try server.get("/css/site.css", headers: "If-Match: \"other\"\r\n")
        #expect(mismatch.status == 412 && mismatch.body.isEmpty)
        let unmodified = try server.get("/css/site.css", headers: "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n")
        #expect(unmodified.status == 412)
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func rangeRequests(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let size = site.big.count
        let first = try server.get("/big.bin", headers: "Range: bytes=0-9\r\n")
        #expect(first.status == 206 && first.body == Array(site.big[0...9]))
        #expect(first.headers["content-range"] == "bytes 0-9/\(size)" && first.headers["content-length"] == "10")
        let suffix = try server.get("/big.bin", headers: "Range: bytes=-5\r\n")
        #expect(suffix.status == 206 && suffix.body == Array(site.big[(size - 5)...]))
        let middle = try server.get("/big.bin", headers: "Range: bytes=500000-\r\n")
        #expect(middle.status == 206 && middle.body == Array(site.big[500_000...]))
        let beyond = try server.get("/big.bin", headers: "Range: bytes=\(size)-\r\n")
        #expect(beyond.status == 416 && beyond.headers["content-range"] == "bytes */\(size)" && beyond.body.isEmpty)
        let ignored = try server.get("/css/site.css", headers: "Range: lines=1-2\r\n")
        #expect(ignored.status == 200 && ignored.body == site.stylesheet)
        let etag = try #require(first.headers["etag"])
        let current = try server.get("/big.bin", headers: "Range: bytes=0-0\r\nIf-Range: \(etag)\r\n")
        #expect(current.status == 206 && current.body == [site.big[0]])
        let outdated = try server.get("/big.bin", headers: "Range: bytes=0-0\r\nIf-Range: \"old\"\r\n")
        #expect(outdated.status == 200 && outdated.body.count == size, "a changed file is sent whole")
        let headRange = try Self.head(server, "/big.bin", headers: "Range: bytes=0-9\r\n")
        #expect(headRange.status == 206 && headRange.headers["content-length"] == "10" && headRange.body.isEmpty)

        let multi = try server.get("/big.bin", headers: "Range: bytes=0-1, 100-102\r\n")
        #expect(multi.status == 206)
        let contentType = try #require(multi.headers["content-type"])
        #expect(contentType.hasPrefix("multipart/byteranges; boundary="))
        let boundary = String(contentType.dropFirst("multipart/byteranges; boundary=".count))
        var expected: [UInt8] = Array("--\(boundary)\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-1/\(size)\r\n\r\n".utf8)
        expected += site.big[0...1]
        expected += Array("\r\n--\(boundary)\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 100-102/\(size)\r\n\r\n".utf8)
        expected += site.big[100...102]
        expected += Array("\r\n--\(boundary)--\r\n".utf8)
        #expect(multi.body == expected)
        #expect(multi.headers["content-length"] == String(expected.count))
        await server.stop()
    }

    /// The bytes a client gets are the file's, whichever way the server sends them (its own
    /// send-file, or the copy path every writer has), on a fresh connection and on a
    /// keep-alive one after other responses.
    @Test(arguments: ServerUnderTest.allCases) func aLargeFileArrivesByteForByte(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let client = try server.client()
        for _ in 0..<3 {
            try client.send("GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\nGET /css/site.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let big = try client.readResponse()
            #expect(big.status == 200 && big.headers["content-type"] == "application/octet-stream")
            #expect(big.body == site.big)
            #expect(try client.readResponse().body == site.stylesheet)
        }
        await server.stop()

        let inMemory = ApplicationBuilder()
        inMemory.useStaticFiles(StaticFileOptions(root: site.root))
        #expect(try await inMemory.respond(to: .get, "/big.bin").body == site.big, "the copy path through a writer that cannot send files")
    }

    @Test(arguments: ServerUnderTest.allCases) func precompressedSiblings(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        let plain = try server.get("/css/site.css")
        let brotli = try server.get("/css/site.css", headers: "Accept-Encoding: gzip, deflate, br\r\n")
        #expect(brotli.status == 200 && brotli.text == "BROTLI-BYTES")
        #expect(brotli.headers["content-encoding"] == "br" && brotli.headers["content-type"] == "text/css")
        #expect(brotli.headers["vary"] == "Accept-Encoding" && brotli.headers["content-length"] == "12")
        #expect(brotli.headers["etag"] != plain.headers["etag"], "each encoding has its own tag")
        let gzip = try server.get("/css/site.css", headers: "Accept-Encoding: gzip\r\n")
        #expect(gzip.text == "GZIP-BYTES" && gzip.headers["content-encoding"] == "gzip")
        let preferred = try server.get("/css/site.css", headers: "Accept-Encoding: br;q=0.5, gzip;q=0.9\r\n")
        #expect(preferred.text == "GZIP-BYTES")
        let refused = try server.get("/css/site.css", headers: "Accept-Encoding: br;q=0, identity\r\n")
        #expect(refused.body == site.stylesheet && refused.headers["content-encoding"] == nil)
        let notModified = try server.get("/css/site.css", headers: "Accept-Encoding: br\r\nIf-None-Match: \(brotli.headers["etag"] ?? "")\r\n")
        #expect(notModified.status == 304)
        let ranged = try server.get("/css/site.css", headers: "Accept-Encoding: br\r\nRange: bytes=0-5\r\n")
        #expect(ranged.status == 206 && ranged.text == "BROTLI" && ranged.headers["content-range"] == "bytes 0-5/12")
        let image = try server.get("/big.bin", headers: "Range: bytes=0-0\r\nAccept-Encoding: br\r\n")
        #expect(image.headers["vary"] == nil && image.headers["content-encoding"] == nil, "not a compressible type")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func defaultFiles(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        #expect(try server.get("/").text == "<h1>home</h1>")
        let docs = try server.get("/docs/")
        #expect(docs.text == "<h1>docs</h1>" && docs.headers["content-type"] == "text/html")
        let redirect = try server.get("/docs?page=2")
        #expect(redirect.status == 301 && redirect.headers["location"] == "/docs/?page=2")
        #expect(try server.get("/css/").status == 404, "a folder without a default page")
        await server.stop()
    }

    /// Every way out of the root, and every file that must not be served: 404 from the
    /// pipeline's end, and never a byte of the secret.
    @Test(arguments: ServerUnderTest.allCases) func nothingOutsideTheRootNorHiddenNorSpecial(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await Self.server(kind, site)
        var targets = [
            "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/css/../../secret.txt", "/css/%2e%2e/%2e%2e/secret.txt",
            "/..%2fsecret.txt", "/css/..%2F..%2Fsecret.txt", "/%2e%2e%2fsecret.txt", "/..%5csecret.txt", "/%5c..%5csecret.txt",
            "/css/site.css%00.txt", "/%00", "/./css/site.css", "/.secret.txt", "/%2esecret.txt", "/.git/config", "/sub/.hidden/x.txt",
            "/escape.txt", "/absolute.txt", "/pipe.txt", "/unknown.xyz", "/css", "/missing.css", "/css/site.css/",
        ]
        if site.hasDevice { targets.append("/null.txt") }
        for target in targets {
            let response = try server.get(target)
            #expect(response.status == 404, "\(target): \(response.status)")
            #expect(!response.text.contains("secret") && !response.text.contains("hidden"), "\(target)")
        }
        if !site.hasDevice { print("note: no device node could be made here (mknod refused); the FIFO stands for special files") }
        #expect(try server.get("/inside.css").body == site.stylesheet, "a link that stays inside is followed")
        #expect(try server.get("/css/site.css").status == 200, "and the server still serves after all that")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func linksOutOfTheRootWhenAllowedAndUnknownTypesWhenAsked(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        var options = StaticFileOptions()
        options.allowsSymbolicLinksOutsideRoot = true
        options.servesUnknownFileTypes = true
        options.onPrepareResponse = { $0.response.headers["Cache-Control"] = "public, max-age=60" }
        let server = try await Self.server(kind, site, options: options)
        let escaped = try server.get("/escape.txt")
        #expect(escaped.status == 200 && escaped.text == "the secret outside the root")
        #expect(escaped.headers["cache-control"] == "public, max-age=60")
        #expect(try server.get("/../secret.txt").status == 404, "a `..` in the request is still refused")
        let unknown = try server.get("/unknown.xyz")
        #expect(unknown.status == 200 && unknown.headers["content-type"] == "application/octet-stream")
        #expect(try server.get("/.secret.txt").status == 404, "hidden files are never served")
        await server.stop()
    }

    @Test(arguments: ServerUnderTest.allCases) func underARequestPath(_ kind: ServerUnderTest) async throws {
        let site = try Site()
        let server = try await TestServer(kind) { app in
            app.useStaticFiles(StaticFileOptions(root: site.root, requestPath: "/static"))
        }
        #expect(try server.get("/static/css/site.css").body == site.stylesheet)
        #expect(try server.get("/STATIC/css/site.css").status == 200)
        #expect(try server.get("/css/site.css").status == 404)
        #expect(try server.get("/staticcss/site.css").status == 404)
        #expect(try server.get("/static/../secret.txt").status == 404)
        await server.stop()
    }
}
