import HostctlCore
@testable import HostctlHosting
import Testing

/// The pure parts of static files: which paths name a file, ranges, preconditions, codings,
/// content types.
@Suite struct StaticFileRulesTests {
    @Test(arguments: [
        ("/site.css", StaticFilePath.file(relativeStart: 1)),
        ("/css/site.css", .file(relativeStart: 1)),
        ("//css//site.css", .file(relativeStart: 2)),
        ("/", .directory(relativeStart: 1)),
        ("/docs/", .directory(relativeStart: 1)),
        ("/a..b/c...d", .file(relativeStart: 1)),
        ("/..", .refused(.dotSegment)),
        ("/../etc/passwd", .refused(.dotSegment)),
        ("/css/../../etc/passwd", .refused(.dotSegment)),
        ("/./site.css", .refused(.dotSegment)),
        ("/css/..", .refused(.dotSegment)),
        ("/.git/config", .refused(.hiddenSegment)),
        ("/.env", .refused(.hiddenSegment)),
        ("/css/.hidden/x.css", .refused(.hiddenSegment)),
        ("/...", .refused(.hiddenSegment)),
        ("/..%2f..%2fetc/passwd", .refused(.encodedSeparator)),
        ("/a%2Fb.css", .refused(.encodedSeparator)),
        ("/a\\..\\b", .refused(.encodedSeparator)),
        ("/a\u{0}.css", .refused(.controlByte)),
        ("/a\u{1B}.css", .refused(.controlByte)),
        ("/a\u{7F}.css", .refused(.controlByte)),
    ])
    func requestPaths(_ path: String, _ verdict: StaticFilePath) {
        #expect(StaticFilePath.classify(path, after: 0) == verdict)
    }

    @Test func pathsUnderAPrefix() {
        #expect(StaticFileRequestPath.normalizedPrefix("static/") == "/static")
        #expect(StaticFileRequestPath.normalizedPrefix("/") == "")
        #expect(StaticFileRequestPath.matchPrefix("/static", in: "/STATIC/a.css") == 7)
        #expect(StaticFileRequestPath.matchPrefix("/static", in: "/static") == 7)
        #expect(StaticFileRequestPath.matchPrefix("/static", in: "/statics/a.css") == nil)
        #expect(StaticFilePath.classify("/static/../x", after: 7) == .refused(.dotSegment))
        #expect(StaticFilePath.classify("/static/.x", after: 7) == .refused(.hiddenSegment))
        #expect(StaticFilePath.classify("/.static/x.css", after: 8) == .file(relativeStart: 9), "the prefix itself was matched already")
    }

    @Test(arguments: [
        ("bytes=0-99", ByteRanges.satisfiable([0...99])),
        ("bytes=100-", .satisfiable([100...999])),
        ("bytes=-100", .satisfiable([900...999])),
        ("bytes=-5000", .satisfiable([0...999])),
        ("bytes=990-5000", .satisfiable([990...999])),
        ("BYTES = 0-0", .whole),
        ("Bytes=0-0", .satisfiable([0...0])),
        ("bytes=0-9, 20-29", .satisfiable([0...9, 20...29])),
        ("bytes=20-29,0-9", .satisfiable([20...29, 0...9])),
        ("bytes=0-9,5-19,20-29", .satisfiable([0...29])),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=1000-2000, 5000-", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=1000-, 0-0", .satisfiable([0...0])),
        ("items=0-9", .whole),
        ("bytes=9-0", .whole),
        ("bytes=a-b", .whole),
        ("bytes=", .whole),
        ("bytes=0-9,x", .whole),
    ])
    func ranges(_ header: String, _ expected: ByteRanges) {
        #expect(ByteRanges.evaluate(header, length: 1000, maxRanges: 16) == expected)
    }

    @Test func manyRangesMeanTheWholeFile() {
        let many = "bytes=" + (0..<20).map { "\($0 * 10)-\($0 * 10 + 1)" }.joined(separator: ",")
        #expect(ByteRanges.evaluate(many, length: 1000, maxRanges: 16) == .whole)
        let overlapping = "bytes=" + Array(repeating: "0-999", count: 500).joined(separator: ",")
        #expect(ByteRanges.evaluate(overlapping, length: 1000, maxRanges: 16) == .satisfiable([0...999]), "merged, not multiplied")
        #expect(ByteRanges.evaluate("bytes=0-0", length: 0, maxRanges: 16) == .unsatisfiable)
    }

    static let validators = ConditionalRequest.Validators(entityTag: "\"abc-10\"", lastModified: 784_111_777)

    @Test(arguments: [
        ([], ConditionalRequest.Outcome.serve(rangeApplies: true)),
        ([("If-None-Match", "\"abc-10\"")], .notModified),
        ([("If-None-Match", "W/\"abc-10\"")], .notModified),
        ([("If-None-Match", "\"x\", \"abc-10\"")], .notModified),
        ([("If-None-Match", "*")], .notModified),
        ([("If-None-Match", "\"x\"")], .serve(rangeApplies: true)),
        ([("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")], .notModified),
        ([("If-Modified-Since", "Sun, 06 Nov 1994 08:49:36 GMT")], .serve(rangeApplies: true)),
        ([("If-Modified-Since", "not a date")], .serve(rangeApplies: true)),
        ([("If-None-Match", "\"x\""), ("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")], .serve(rangeApplies: true)),
        ([("If-Match", "\"abc-10\"")], .serve(rangeApplies: true)),
        ([("If-Match", "W/\"abc-10\"")], .preconditionFailed),
        ([("If-Match", "\"other\"")], .preconditionFailed),
        ([("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:36 GMT")], .preconditionFailed),
        ([("If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")], .serve(rangeApplies: true)),
        ([("If-Range", "\"abc-10\"")], .serve(rangeApplies: true)),
        ([("If-Range", "W/\"abc-10\"")], .serve(rangeApplies: false)),
        ([("If-Range", "\"old\"")], .serve(rangeApplies: false)),
        ([("If-Range", "Sun, 06 Nov 1994 08:49:37 GMT")], .serve(rangeApplies: true)),
        ([("If-Range", "Sun, 06 Nov 1994 08:49:38 GMT")], .serve(rangeApplies: false)),
    ])
    func preconditions(_ fields: [(String, String)], _ outcome: ConditionalRequest.Outcome) {
        #expect(ConditionalRequest.evaluate(StaticFileRequestFields(RequestHeaders(HTTPFields(fields))), validators: Self.validators) == outcome)
    }

    @Test func fieldsGivenOnSeveralLines() {
        let fields = StaticFileRequestFields(RequestHeaders(HTTPFields([
            ("if-none-match", "\"a\""), ("IF-NONE-MATCH", "\"b\""), ("Range", "bytes=0-1"), ("Range", "bytes=5-6"),
            ("Accept-Encoding", "gzip"), ("accept-encoding", "br"), ("If-Modified-Since", "x"),
        ])))
        #expect(fields.ifNoneMatch == "\"a\", \"b\"" && fields.acceptEncoding == "gzip, br")
        #expect(fields.range == "bytes=0-1" && fields.ifModifiedSince == "x" && fields.ifMatch == nil)
    }

    @Test(arguments: [
        ("gzip, deflate, br", [ContentCodingChoice.Coding.brotli, .gzip]),
        ("gzip", [.gzip]),
        ("br;q=0.5, gzip;q=0.8", [.gzip, .brotli]),
        ("br;q=0, gzip", [.gzip]),
        ("*", [.brotli, .gzip]),
        ("*;q=0.1, br", [.brotli, .gzip]),
        ("identity", []),
        ("x-gzip", [.gzip]),
        ("", []),
    ])
    func codings(_ header: String, _ expected: [ContentCodingChoice.Coding]) {
        #expect(ContentCodingChoice.acceptable(header) == expected)
    }

    @Test func contentTypes() {
        var types = ContentTypeProvider()
        #expect(types.contentType(forPath: "/css/site.CSS") == "text/css")
        #expect(types.contentType(forPath: "/a.b/readme") == nil, "a dot in a folder name is no extension")
        #expect(types.contentType(forPath: "/noextension") == nil)
        types.mappings[".custom"] = "application/x-custom"
        types.mappings[".css"] = nil
        #expect(types.contentType(forPath: "/x.custom") == "application/x-custom" && types.contentType(forPath: "/x.css") == nil)
        #expect(ContentTypeProvider.isCompressible("text/css") && ContentTypeProvider.isCompressible("image/svg+xml"))
        #expect(!ContentTypeProvider.isCompressible("image/png") && !ContentTypeProvider.isCompressible("application/gzip"))
        #expect(ContentTypeProvider.isCompressible("Application/JSON; charset=utf-8") && ContentTypeProvider.isCompressible("TEXT/plain"))
        #expect(!ContentTypeProvider.isCompressible("text/") && !ContentTypeProvider.isCompressible("application/json-seq"))
        #expect(!ContentTypeProvider.isCompressible("") && !ContentTypeProvider.isCompressible("application/octet-stream"))
    }

    /// The table the middleware compiles answers as the provider does, for every entry of
    /// the standard table (short and long extensions), in any case, and misses what it lacks.
    @Test func compiledTypeTableAgreesWithTheProvider() {
        func entry(_ table: ContentTypeTable, _ path: String) -> ContentTypeTable.Entry? {
            var path = path
            return path.withUTF8 { table.entry(forPath: $0) }
        }
        let provider = ContentTypeProvider()
        let table = ContentTypeTable(provider)
        for (name, type) in provider.mappings {
            for path in ["/f\(name)", "/dir.x/F\(name.uppercased())"] {
                let found = entry(table, path)
                #expect(found?.contentType == type, "\(path)")
                #expect(found?.isCompressible == ContentTypeProvider.isCompressible(type), "\(path)")
            }
        }
        #expect(entry(table, "/site.webmanifest")?.contentType == "application/manifest+json", "longer than eight bytes")
        for miss in ["/a.b/readme", "/noextension", "/x.", "/x.unknownlongextension", "/x.cs", "/x.csss", "/x.c\u{0}s"] {
            #expect(entry(table, miss) == nil, "\(miss)")
        }
        var custom = ContentTypeProvider(mappings: [".CSS": "text/x-upper", ".css": "text/css", "nodot": "x/y", ".ABCDEFGHIJ": "x/long"])
        custom.mappings[".gz"] = "application/gzip"
        let customTable = ContentTypeTable(custom)
        #expect(entry(customTable, "/a.Css")?.contentType == "text/css", "of two spellings, the lowercase one")
        #expect(entry(customTable, "/a.abcdefghij")?.contentType == "x/long")
        #expect(entry(customTable, "/nodot") == nil && entry(customTable, "/a.nodot") == nil, "keys without a dot never match")
        #expect(entry(customTable, "/a.gz")?.isCompressible == false)
    }

    @Test(arguments: [(0, 0), (1_700_000_000_123_456_789, 4096), (-1, Int64.max), (15, 16)] as [(Int64, Int64)])
    func entityTagsAreHexOfTimeAndSize(modified: Int64, size: Int64) {
        let hex = { (value: Int64) in String(UInt64(bitPattern: value), radix: 16) }
        #expect(StaticFileHeaders.entityTag(modified: modified, size: size, coding: nil) == "\"\(hex(modified))-\(hex(size))\"")
        #expect(StaticFileHeaders.entityTag(modified: modified, size: size, coding: .brotli) == "\"\(hex(modified))-\(hex(size))-br\"")
        #expect(StaticFileHeaders.entityTag(modified: modified, size: size, coding: .gzip) == "\"\(hex(modified))-\(hex(size))-gzip\"")
    }
}
