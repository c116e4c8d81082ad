import Foundation
@testable import HostctlLaunch
import HostctlSystem
import Testing

/// The watcher over a real directory tree with inotify: the kernel queues an event before
/// the call that caused it returns, so each check reads right after the change.
@Suite struct SourceWatcherTests {
    static func tree() throws -> String {
        let root = FilePath.join(NSTemporaryDirectory(), "watcher-\(UUID().uuidString.prefix(8))")
        for path in ["Sources/App/main.swift", "Package.swift", ".build/debug/App", ".git/HEAD"] {
            try FileManager.default.createDirectory(atPath: FilePath.directory(FilePath.join(root, path)), withIntermediateDirectories: true)
            try "x".write(toFile: FilePath.join(root, path), atomically: false, encoding: .utf8)
        }
        return root
    }

    static func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    @Test func sourcesAreWatchedAndBuildOutputAndEditorFilesAreNot() throws {
        let root = try Self.tree()
        let watcher = try SourceWatcher()
        watcher.watchTree(root)
        #expect(watcher.changes().isEmpty)

        let main = FilePath.join(root, "Sources/App/main.swift")
        try Self.write("print(1)", main)
        #expect(watcher.changes() == [main])

        try Self.write("x", FilePath.join(root, ".build/debug/App"))
        try Self.write("x", FilePath.join(root, ".git/index"))
        try Self.write("x", FilePath.join(root, "Sources/App/.main.swift.swp"))
        try Self.write("x", FilePath.join(root, "Sources/App/main.swift~"))
        try Self.write("x", FilePath.join(root, "launchSettings.json"))
        #expect(watcher.changes().isEmpty, "build output, git, editor files and launch settings")

        try FileManager.default.removeItem(atPath: FilePath.join(root, "Package.swift"))
        #expect(watcher.changes() == [FilePath.join(root, "Package.swift")], "a deletion")
    }

    @Test func aNewFolderIsWatchedWithWhatWasAlreadyWrittenInIt() throws {
        let root = try Self.tree()
        let watcher = try SourceWatcher()
        watcher.watchTree(root)
        let folder = FilePath.join(root, "Sources/Lib")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Self.write("x", FilePath.join(folder, "A.swift"))
        #expect(watcher.changes().contains(FilePath.join(folder, "A.swift")))
        try Self.write("y", FilePath.join(folder, "B.swift"))
        #expect(watcher.changes() == [FilePath.join(folder, "B.swift")], "watched from now on")
    }

    @Test func aFileThatCameAndWentIsKnownAsCreated() throws {
        let root = try Self.tree()
        let watcher = try SourceWatcher()
        watcher.watchTree(root)
        // As sed -i saves: a temporary beside the file, renamed over it.
        let temporary = FilePath.join(root, "Sources/App/sedX1Y2Z3")
        try Self.write("print(2)", temporary)
        #expect(rename(temporary, FilePath.join(root, "Sources/App/main.swift")) == 0)
        let changes = watcher.changes()
        #expect(changes.contains(FilePath.join(root, "Sources/App/main.swift")))
        #expect(watcher.created.contains(temporary) && !FileManager.default.fileExists(atPath: temporary))
    }
}

@Suite struct BuildDiagnosticsTests {
    @Test func theFirstErrorsWithPathsInThePackageMadeRelative() {
        let diagnostics = BuildDiagnostics(packageDirectory: "/work/App", limit: 3)
        let output = """
            [1/4] Compiling App main.swift
            /work/App/Sources/App/main.swift:4:1: error: expected expression
            4 | let x =
              | `- error: expected expression
            /work/App/Sources/App/main.swift:4:1: error: expected expression
            /elsewhere/Dep.swift:1:2: warning: unused
            error: emit-module command failed with exit code 1
            /work/App/Sources/App/b.swift:1:1: error: two
            /work/App/Sources/App/c.swift:1:1: error: three
            """
        // Fed in pieces that split lines, from both streams.
        let bytes = Array(output.utf8)
        bytes[..<50].withUnsafeBytes { diagnostics.feed($0, fromStandardError: false) }
        bytes[50...].withUnsafeBytes { diagnostics.feed($0, fromStandardError: false) }
        diagnostics.finish()
        #expect(diagnostics.errors == [
            "Sources/App/main.swift:4:1: error: expected expression",
            "error: emit-module command failed with exit code 1",
            "Sources/App/b.swift:1:1: error: two",
        ])
        diagnostics.reset()
        #expect(diagnostics.errors.isEmpty)
    }
}
