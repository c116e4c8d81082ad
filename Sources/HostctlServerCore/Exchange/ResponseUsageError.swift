/// A response the app used wrongly (Kestrel throws InvalidOperationException for these).
struct ResponseUsageError: Error, CustomStringConvertible {
    let description: String
}
