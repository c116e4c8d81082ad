import HostctlJSON
import HostctlSystem

/// One template under Templates/: its manifest and the folder of files it copies.
public struct Template: Sendable, Equatable {
    public let name: String
    public let description: String
    /// The scaffold depends on hostctl's hosting library.
    public let usesHosting: Bool
    public let contentDirectory: String

    /// Every template in `directory`, by name.
    public static func catalog(in directory: String) throws(HostctlFailure) -> [Template] {
        let entries: [String]
        do { entries = try FileSystem.contentsOfDirectory(directory) } catch {
            throw HostctlFailure("The templates folder \(directory) cannot be read: \(error.reason).")
        }
        var templates: [Template] = []
        for entry in entries.sorted() {
            let folder = FilePath.join(directory, entry)
            let manifest = FilePath.join(folder, "template.json")
            guard FileSystem.isRegularFile(manifest) else { continue }
            templates.append(try read(manifest: manifest, folder: folder))
        }
        return templates.sorted { order($0.name) < order($1.name) }
    }

    /// web, api, empty first (the order `dotnet new --list` users meet them), then the rest.
    private static func order(_ name: String) -> String {
        switch name {
        case "web": "0"
        case "api": "1"
        case "empty": "2"
        default: "3" + name
        }
    }

    static func read(manifest: String, folder: String) throws(HostctlFailure) -> Template {
        guard let bytes = try? FileSystem.readFile(manifest),
              case .object(let object)? = try? JSONReader(allowsComments: true, allowsTrailingCommas: true).read(bytes),
              case .string(let name)? = object["name"], case .string(let description)? = object["description"]
        else {
            throw HostctlFailure("The template manifest \(manifest) is not valid: it needs \"name\" and \"description\" strings.")
        }
        let usesHosting = object["usesHosting"] == .bool(true)
        return Template(name: name, description: description, usesHosting: usesHosting, contentDirectory: FilePath.join(folder, "content"))
    }
}
