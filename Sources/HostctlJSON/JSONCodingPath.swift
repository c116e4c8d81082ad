/// Renders coding paths the way an API error message wants them: `items[2].name`, with
/// keys that would read ambiguously quoted, as in `headers["Content.Type"]`.
enum JSONCodingPath {
    static func describe(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let key = key as? JSONKey, key.isIndex, let index = key.intValue {
                text += "[\(index)]"
                continue
            }
            let name = key.stringValue
            if isPlain(name) {
                if !text.isEmpty { text += "." }
                text += name
            } else {
                var quoted: [UInt8] = []
                JSONWriter.writeString(name, into: &quoted)
                text += "[" + String(decoding: quoted, as: UTF8.self) + "]"
            }
        }
        return text
    }

    /// Non-empty and free of the characters that structure a path, whitespace and controls.
    private static func isPlain(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            byte > 0x20 && byte != 0x7F && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "[")
                && byte != UInt8(ascii: "]") && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
        }
    }
}
