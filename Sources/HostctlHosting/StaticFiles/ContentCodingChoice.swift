/// Which precompressed sibling to send, from `Accept-Encoding` (RFC 9110 §12.5.3): the
/// acceptable coding with the highest weight among those present, Brotli before gzip on a
/// tie; none when the client accepts neither (or gave them q=0).
enum ContentCodingChoice {
    enum Coding: String, CaseIterable {
        case brotli = "br"
        case gzip

        /// The sibling file's suffix.
        var fileExtension: String { self == .brotli ? ".br" : ".gz" }
    }

    /// The codings the client accepts, best first.
    static func acceptable(_ acceptEncoding: String) -> [Coding] {
        var weights: [Coding: Double] = [:]
        var wildcard: Double?
        for item in acceptEncoding.split(separator: ",") {
            let parts = item.split(separator: ";")
            let name = (parts.first.map { $0.trimmingSpaces } ?? "").lowercased()
            var weight = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces
                if pair.lowercased().hasPrefix("q="), let value = Double(pair.dropFirst(2)) { weight = value }
            }
            switch name {
            case "br": weights[.brotli] = weight
            case "gzip", "x-gzip": weights[.gzip] = weight
            case "*": wildcard = weight
            default: break
            }
        }
        var result: [(coding: Coding, weight: Double, rank: Int)] = []
        for (rank, coding) in Coding.allCases.enumerated() {
            let weight = weights[coding] ?? wildcard ?? 0
            if weight > 0 { result.append((coding, weight, rank)) }
        }
        return result.sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.rank < $1.rank }.map(\.coding)
    }
}
