// libFuzzer entry point for the launchSettings.json reader: any bytes must give a value or
// a JSONSyntaxError, never a trap, a hang or a memory error.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for reader in [JSONReader(), JSONReader(allowsComments: true, allowsTrailingCommas: true)] {
        if case .object(let object)? = try? reader.read(bytes) {
            _ = object.member(matchingCaseInsensitively: "profiles")
        }
    }
    return 0
}
