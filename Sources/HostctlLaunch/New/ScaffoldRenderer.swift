import HostctlSystem

/// Turns a template's files into a scaffold's files, in memory: file names and contents
/// with the tokens replaced. Nothing is written here, so a failure leaves no trace.
struct ScaffoldRenderer {
    /// Token → replacement (see Templates/README.md).
    let tokens: [(String, String)]

    struct File: Equatable {
        let relativePath: String
        let contents: [UInt8]
    }

    func render(_ template: Template) throws(HostctlFailure) -> [File] {
        var files: [File] = []
        try collect(template.contentDirectory, relative: "", into: &files)
        return files.sorted { $0.relativePath < $1.relativePath }
    }

    private func collect(_ directory: String, relative: String, into files: inout [File]) throws(HostctlFailure) {
        let names: [String]
        do { names = try FileSystem.contentsOfDirectory(directory) } catch {
            throw HostctlFailure("The template folder \(directory) cannot be read: \(error.reason).")
        }
        for name in names {
            let path = FilePath.join(directory, name)
            let target = relative.isEmpty ? replace(name) : relative + "/" + replace(name)
            guard let status = FileSystem.status(path) else { continue }
            if status.kind == .directory {
                try collect(path, relative: target, into: &files)
            } else {
                let bytes: [UInt8]
                do { bytes = try FileSystem.readFile(path) } catch {
                    throw HostctlFailure("The template file \(path) cannot be read: \(error.reason).")
                }
                files.append(File(relativePath: target, contents: Array(replace(String(decoding: bytes, as: UTF8.self)).utf8)))
            }
        }
    }

    func replace(_ text: String) -> String {
        guard text.contains("__") else { return text }
        var result = text
        for (token, value) in tokens { result = result.replacing(token, with: value) }
        return result
    }
}
