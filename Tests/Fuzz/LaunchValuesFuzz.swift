// libFuzzer entry point for the launch-profile value parsers: commandLineArgs splitting
// and variable expansion take any text without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLaunchValues(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let arguments = CommandLineArgsSplitter.split(text)
    // Splitting never invents text: every scalar of the arguments came from the input.
    precondition(arguments.reduce(0) { $0 + $1.unicodeScalars.count } <= text.unicodeScalars.count)
    let expander = VariableExpander { name in name.count % 2 == 0 ? "<\(name)>" : nil }
    _ = expander.expand(text)
    return 0
}
