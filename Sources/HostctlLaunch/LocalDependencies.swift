import HostctlJSON
import HostctlSystem

/// The directories of a package's dependencies that live on the local disk (path
/// dependencies and edited packages), from SwiftPM's `.build/workspace-state.json`.
/// A change in any of them must rebuild the package.
enum LocalDependencies {
    /// nil when the state file exists but cannot be understood: the caller must then
    /// assume the worst. An absent file means no dependencies resolved yet.
    static func read(package: PackageLocation) -> [String]? {
        let path = FilePath.join(package.directory, ".build", "workspace-state.json")
        guard FileSystem.exists(path) else { return [] }
        guard let bytes = try? FileSystem.readFile(path),
              case .object(let root)? = try? JSONReader().read(bytes),
              case .object(let object)? = root["object"],
              case .array(let dependencies)? = object["dependencies"]
        else { return nil }

        var directories: [String] = []
        for dependency in dependencies {
            guard case .object(let entry) = dependency,
                  case .object(let reference)? = entry["packageRef"],
                  case .string(let kind)? = reference["kind"]
            else { return nil }
            let state = entry["state"]?.objectValue
            if state?["name"]?.stringValue == "edited" {
                let subpath = entry["subpath"]?.stringValue ?? ""
                directories.append(state?["path"]?.stringValue ?? FilePath.join(package.directory, "Packages", subpath))
                continue
            }
            switch kind {
            case "fileSystem", "localSourceControl":
                guard case .string(let location)? = reference["location"] else { return nil }
                directories.append(location)
            case "remoteSourceControl", "registry":
                continue  // pinned by Package.resolved, which the package fingerprint covers
            default:
                return nil
            }
        }
        return directories.sorted()
    }
}
