/// The coding keys the encoder and decoder make themselves: array positions (shown as
/// `[2]` in paths) and the `super` key of `superEncoder()` / `superDecoder()`.
struct JSONKey: CodingKey, Sendable {
    private let name: String?
    let intValue: Int?

    init(stringValue: String) {
        name = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        name = String(intValue)
        self.intValue = intValue
    }

    /// A position in an array; its string value is "Index 2", as Foundation's.
    init(index: Int) {
        name = nil
        intValue = index
    }

    static let `super` = JSONKey(stringValue: "super")

    var stringValue: String { name ?? "Index \(intValue ?? 0)" }

    var isIndex: Bool { name == nil }
}
