import Glibc
import HostctlCore
@testable import HostctlHosting
import HostctlSystem
import HostctlTestSupport
import Testing

/// The small-file cache alone: what it takes, and that any change under it empties it
/// before the next lookup.
@Suite struct SmallFileCacheTests {
    /// A root with a stylesheet, a larger file, and a link to the stylesheet.
    struct Site {
        let folder: TemporaryFolder
        let root: WebRoot
        let cache = SmallFileCache(maxFileBytes: 64, maxEntries: 4)

        init() throws {
            folder = try TemporaryFolder("small-file-cache")
            try folder.write("wwwroot/css/site.css", "body { color: red; }")
            try folder.write("wwwroot/big.txt", String(repeating: "x", count: 65))
            try folder.write("elsewhere/notes.txt", "not under the root")
            symlink("css/site.css", folder.file("wwwroot/link.css"))
            root = WebRoot(path: folder.file("wwwroot"), allowsEscapingLinks: false)
        }

        /// Looks `path` up, and on a miss opens, captures and stores it: the captured file
        /// (nil when the cache refused it) and whether it came from the cache.
        func serve(_ path: String) throws -> (file: SmallFileCache.File?, hit: Bool) {
            let opening = try #require(root.cacheableOpening())
            let lookup = cache.lookup(path, rootOpening: opening)
            if let entry = lookup.entry { return (entry.file, true) }
            guard case .file(let descriptor, let status) = root.open(path, from: 1) else {
                Issue.record("\(path) did not open")
                return (nil, false)
            }
            defer { Descriptor.close(descriptor) }
            let file = cache.capture(descriptor, status: status, below: root, relativePath: path.utf8.dropFirst(1), suffix: "") {
                FileValidatorCache.Values(entityTag: "\"tag\"", lastModified: "then")
            }
            if let file { cache.store(SmallFileCache.Entry(file: file), for: path, generation: lookup.generation, rootOpening: opening) }
            return (file, false)
        }

        func isCached(_ path: String) throws -> Bool {
            cache.lookup(path, rootOpening: try #require(root.cacheableOpening())).entry != nil
        }
    }

    @Test func aSmallFileIsKeptUntilItsFolderChanges() throws {
        let site = try Site()
        #expect(site.cache.isEnabled)
        let first = try site.serve("/css/site.css")
        #expect(first.file?.content == Array("body { color: red; }".utf8) && !first.hit)
        let second = try site.serve("/css/site.css")
        #expect(second.hit && second.file?.content == first.file?.content)

        try site.folder.write("elsewhere/notes.txt", "changed, but nobody serves it")
        #expect(try site.isCached("/css/site.css"), "a change outside the watched folders keeps the cache")
        try site.folder.write("wwwroot/css/other.css", "a new neighbour")
        #expect(try !site.isCached("/css/site.css"), "a new file beside it empties the cache")

        _ = try site.serve("/css/site.css")
        #expect(try site.isCached("/css/site.css"))
        try site.folder.write("wwwroot/top.txt", "a change at the root")
        #expect(try !site.isCached("/css/site.css"), "the root is watched too")
    }

    @Test func aWriteToTheFileItselfEmptiesIt() throws {
        let site = try Site()
        _ = try site.serve("/css/site.css")
        let handle = open(site.folder.file("wwwroot/css/site.css"), O_WRONLY | O_CLOEXEC)
        #expect(handle >= 0)
        #expect(pwrite(handle, "B", 1, 0) == 1)
        close(handle)
        #expect(try !site.isCached("/css/site.css"))
        #expect(try site.serve("/css/site.css").file?.content.first == UInt8(ascii: "B"))
    }

    @Test func largeFilesAndLinkedFilesAreNotTaken() throws {
        let site = try Site()
        #expect(try site.serve("/big.txt").file == nil, "over maxFileBytes")
        #expect(try site.serve("/link.css").file == nil, "reached through a link")
        #expect(try !site.isCached("/link.css") && !site.isCached("/big.txt"))
    }

    @Test func whatWasReadBeforeAChangeIsNotStored() throws {
        let site = try Site()
        let opening = try #require(site.root.cacheableOpening())
        let lookup = site.cache.lookup("/css/site.css", rootOpening: opening)
        guard case .file(let descriptor, let status) = site.root.open("/css/site.css", from: 1) else {
            Issue.record("the file did not open")
            return
        }
        defer { Descriptor.close(descriptor) }
        let file = try #require(
            site.cache.capture(descriptor, status: status, below: site.root, relativePath: "/css/site.css".utf8.dropFirst(1), suffix: "") {
                FileValidatorCache.Values(entityTag: "\"tag\"", lastModified: "then")
            }
        )
        try site.folder.write("wwwroot/css/site.css", "body { color: blue; }")
        site.cache.store(SmallFileCache.Entry(file: file), for: "/css/site.css", generation: lookup.generation, rootOpening: opening)
        #expect(try !site.isCached("/css/site.css"), "the copy read before the change is dropped")
    }

    @Test func aReplacedRootEmptiesIt() throws {
        let site = try Site()
        _ = try site.serve("/css/site.css")
        let opening = try #require(site.root.cacheableOpening())
        #expect(site.cache.lookup("/css/site.css", rootOpening: opening).entry != nil)
        #expect(site.cache.lookup("/css/site.css", rootOpening: opening + 1).entry == nil)
    }

    /// Full, it makes room for the newest file; its watches stay bounded too.
    @Test func aFullCacheMakesRoom() throws {
        let site = try Site()
        for index in 0..<6 { try site.folder.write("wwwroot/f\(index).txt", "file \(index)") }
        for index in 0..<6 {
            #expect(try site.serve("/f\(index).txt").file?.content == Array("file \(index)".utf8))
            #expect(try site.isCached("/f\(index).txt"), "the newest is kept")
            let counts = site.cache.counts
            #expect(counts.entries <= 4 && counts.bytes == counts.entries * 6 && counts.watches <= site.cache.maxWatches)
        }
        #expect(site.cache.counts.entries == 4)
    }

    /// Files the kernel may not hear change (procfs here stands for NFS, SMB, FUSE) are not taken.
    @Test func onlyLocalFileSystems() throws {
        let site = try Site()
        let local = open(site.folder.file("wwwroot/css/site.css"), O_RDONLY | O_CLOEXEC)
        defer { close(local) }
        #expect(FileSystem.isLocal(descriptor: local), "the test folder is on a local file system")
        let proc = open("/proc/self/status", O_RDONLY | O_CLOEXEC)
        defer { close(proc) }
        #expect(proc >= 0 && !FileSystem.isLocal(descriptor: proc))
        #expect(site.root.cacheableOpening() != nil)
        #expect(WebRoot(path: "/proc/self", allowsEscapingLinks: false).cacheableOpening() == nil, "a root there caches nothing")
    }

    @Test func noSizeMeansNoCache() {
        #expect(!SmallFileCache(maxFileBytes: 0, maxEntries: 4).isEnabled)
    }
}
