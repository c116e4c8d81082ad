import Glibc
@testable import HostctlHosting
import HostctlSystem
import HostctlTestSupport
import Testing

/// Opening files below a root, with openat2 and with the fallback for systems without it.
@Suite struct WebRootTests {
    @Test(arguments: [false, true])
    func opensOnlyRegularFilesBelowTheRoot(fallback: Bool) throws {
        let folder = try TemporaryFolder("webroot")
        try folder.write("secret.txt", "secret")
        try folder.write("root/a.txt", "a")
        try folder.write("root/sub/b.txt", "b")
        symlink("../secret.txt", folder.file("root/escape.txt"))
        symlink(folder.file("secret.txt"), folder.file("root/absolute.txt"))
        symlink("sub/b.txt", folder.file("root/inside.txt"))
        symlink("sub/../a.txt", folder.file("root/wander.txt"))
        mkfifo(folder.file("root/fifo.txt"), 0o644)
        let root = WebRoot(path: folder.file("root"), allowsEscapingLinks: false, forceFallback: fallback)

        func outcome(_ path: String) -> String {
            switch root.open(path, from: 1) {
            case .file(let descriptor, let status):
                defer { Descriptor.close(descriptor) }
                var byte: UInt8 = 0
                return read(descriptor, &byte, 1) == 1 && status.size == 1 ? String(UnicodeScalar(byte)) : "?"
            case .missing(let reason):
                return "\(reason)"
            }
        }
        #expect(outcome("/a.txt") == "a")
        #expect(outcome("/sub/b.txt") == "b")
        #expect(outcome("/inside.txt") == "b")
        #expect(outcome("/wander.txt") == "a", "a link that goes up and back down stays inside")
        #expect(outcome("/escape.txt") == "outsideRoot")
        #expect(outcome("/absolute.txt") == "outsideRoot")
        #expect(outcome("/sub/../../secret.txt") == "outsideRoot", "even when the path itself climbs (the middleware refuses it first)")
        #expect(outcome("/fifo.txt") == "notRegularFile", "opened without blocking, then refused")
        #expect(outcome("/sub") == "notRegularFile")
        #expect(outcome("/missing.txt") == "notFound")

        let permissive = WebRoot(path: folder.file("root"), allowsEscapingLinks: true, forceFallback: fallback)
        if case .file(let descriptor, _) = permissive.open("/escape.txt", from: 1) { Descriptor.close(descriptor) } else {
            Issue.record("a link out of the root is followed when allowed")
        }
        let absent = WebRoot(path: folder.file("nowhere"), allowsEscapingLinks: false, forceFallback: fallback)
        if case .missing(.noRoot) = absent.open("/a.txt", from: 1) {} else { Issue.record("no root, nothing served") }
    }
}
