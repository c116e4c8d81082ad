import HostctlJSON

/// The executable products of a package, from `swift package describe --type json`
/// (which, unlike the manifest, includes the products SwiftPM derives from executable targets).
enum PackageProducts {
    static func executables(inDescription bytes: [UInt8]) -> [String]? {
        guard case .object(let root)? = try? JSONReader().read(Array(jsonPart(of: bytes))),
              case .array(let products)? = root["products"]
        else { return nil }
        var names: [String] = []
        for product in products {
            guard case .object(let entry) = product, case .string(let name)? = entry["name"] else { return nil }
            if case .object(let type)? = entry["type"], type.members.contains(where: { $0.key == "executable" }) {
                names.append(name)
            }
        }
        return names.sorted()
    }

    /// SwiftPM may print warnings on stdout before the document; the JSON starts at the first '{' line.
    private static func jsonPart(of bytes: [UInt8]) -> ArraySlice<UInt8> {
        var lineStart = 0
        for (index, byte) in bytes.enumerated() {
            if index == lineStart, byte == UInt8(ascii: "{") { return bytes[index...] }
            if byte == UInt8(ascii: "\n") { lineStart = index + 1 }
        }
        return bytes[...]
    }
}
