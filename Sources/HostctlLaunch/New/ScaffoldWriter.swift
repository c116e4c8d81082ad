import HostctlSystem

/// Writes a rendered scaffold into its folder. Everything is checked before the first
/// write; if a write still fails (a full disk), what this run created is removed again.
struct ScaffoldWriter {
    let directory: String
    let overwrites: Bool

    /// Why the folder cannot take the scaffold, checked before anything is written.
    func check(_ files: [ScaffoldRenderer.File]) throws(HostctlFailure) {
        guard let status = FileSystem.status(directory) else { return }
        guard status.kind == .directory else {
            throw HostctlFailure("\(directory) exists and is not a folder. Choose another place with -o.", exitCode: NewCommand.cannotCreateOutput)
        }
        let entries: [String]
        do { entries = try FileSystem.contentsOfDirectory(directory) } catch {
            throw HostctlFailure("The folder \(directory) cannot be read: \(error.reason).", exitCode: NewCommand.cannotCreateOutput)
        }
        if !entries.isEmpty && !overwrites {
            let shown = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
            throw HostctlFailure(
                "The folder \(directory) is not empty (it holds \(shown)). Choose another with -o, "
                    + "or pass --force to create the package there anyway, replacing files of the same names.",
                exitCode: NewCommand.cannotCreateOutput
            )
        }
        for file in files {
            let path = FilePath.join(directory, file.relativePath)
            if let existing = FileSystem.status(path), existing.kind == .directory {
                throw HostctlFailure("\(path) is a folder, where the template has a file.", exitCode: NewCommand.cannotCreateOutput)
            }
        }
    }

    func write(_ files: [ScaffoldRenderer.File]) throws(HostctlFailure) {
        var createdDirectories: [String] = []
        var createdFiles: [String] = []
        do {
            for file in files {
                let path = FilePath.join(directory, file.relativePath)
                try makeDirectories(FilePath.directory(path), recordingIn: &createdDirectories)
                let isNew = !FileSystem.exists(path)
                try FileSystem.writeFileAtomically(path, file.contents)
                if isNew { createdFiles.append(path) }
            }
        } catch {
            for path in createdFiles.reversed() { FileSystem.removeFile(path) }
            for path in createdDirectories.reversed() { FileSystem.removeDirectory(path) }
            throw HostctlFailure("The package could not be created: \(error.description). Nothing was left behind.", exitCode: NewCommand.cannotCreateOutput)
        }
    }

    private func makeDirectories(_ path: String, recordingIn created: inout [String]) throws(SystemError) {
        if FileSystem.isDirectory(path) { return }
        let parent = FilePath.directory(path)
        if parent != path { try makeDirectories(parent, recordingIn: &created) }
        try FileSystem.makeDirectory(path)
        created.append(path)
    }
}
