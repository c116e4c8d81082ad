// libFuzzer entry point for what static files read from a request: the path (which file, or
// a refusal, and its content type), Range, Accept-Encoding and HTTP dates. Any bytes must give an answer, never a
// trap, a hang or a memory error; and an answer must hold what it promises: a file's path
// has no `..` or hidden segment, ranges lie inside the file.
/// The standard types, and the table the middleware compiles from them, built once.
private let provider = ContentTypeProvider()
private let typeTable = ContentTypeTable(provider)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStaticFileRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let path = "/" + text
    switch StaticFilePath.classify(path, after: 0) {
    case .file(let start), .directory(let start):
        let relative = path.utf8.dropFirst(start).split(separator: UInt8(ascii: "/"))
        precondition(!relative.contains { $0.first == UInt8(ascii: ".") }, "a dot segment or hidden name got through: \(path)")
    case .refused:
        break
    }
    // The compiled table never finds a type the provider would not (the provider's Unicode
    // lowercasing may find more: a Kelvin sign folds to "k"; ASP.NET's ordinal match does not).
    var pathBytes = path
    if let entry = pathBytes.withUTF8({ typeTable.entry(forPath: $0) }) {
        precondition(entry.contentType == provider.contentType(forPath: path), "the table and the provider disagree: \(path)")
        precondition(entry.isCompressible == ContentTypeProvider.isCompressible(entry.contentType), "compressibility: \(path)")
    }
    let length = Int64(size) * 37
    if case .satisfiable(let ranges) = ByteRanges.evaluate(text, length: length, maxRanges: 16) {
        precondition(!ranges.isEmpty && ranges.count <= 16, "range count")
        precondition(ranges.allSatisfy { $0.lowerBound >= 0 && $0.upperBound < length }, "a range outside the file")
    }
    _ = ContentCodingChoice.acceptable(text)
    if let seconds = HTTPDate.parse(text), seconds >= -62_167_219_200, seconds <= 253_402_300_799 {
        precondition(HTTPDate.parse(HTTPDate.string(secondsSinceEpoch: seconds)) == seconds, "a parsed date does not round-trip")
    }
    return 0
}
