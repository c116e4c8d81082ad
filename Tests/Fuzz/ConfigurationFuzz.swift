// libFuzzer entry point for configuration as an app reads it: a settings file's bytes (and
// the same bytes as command-line arguments) through the layered tree, sections, and binding
// to a Decodable. Any bytes must give values or a clear error, never a trap, a hang or a
// memory error.

import HostctlConfiguration

private struct Bound: Decodable {
    var name: String?
    var count: Int?
    var flags: [Bool]?
    var timeout: Duration?
    var nested: [String: Bound]?
}

private final class Entries: ConfigurationProvider {
    let entries: [ConfigurationEntry]
    let description = "fuzz"
    init(_ entries: [ConfigurationEntry]) { self.entries = entries }
    func load() throws(ConfigurationError) -> [ConfigurationEntry] { entries }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    let entries = (try? JSONConfigurationFile.entries(of: bytes, path: "/fuzz/appsettings.json")) ?? []
    let arguments = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    let configuration = Configuration([Entries(entries), CommandLineConfiguration(arguments)])
    for section in configuration.children {
        _ = section.value
        _ = try? section.decode(Bound.self)
        for child in section.children { _ = child.exists }
    }
    _ = try? configuration.decode([String: Bound].self)
    _ = ConfigurationDuration.parse(text)
    return 0
}
