extension JSONValue {
    /// Writes this value as compact JSON, members in their stored order (duplicates kept).
    /// Lets a value that was read, or assembled by hand, be sent on. Numbers are written as
    /// their stored text, so a hand-built `.number` must hold valid JSON number text.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        write(into: &output)
        return output
    }

    func write(into output: inout [UInt8]) {
        switch self {
        case .object(let object):
            output.append(UInt8(ascii: "{"))
            for (index, member) in object.members.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(member.key, into: &output)
                output.append(UInt8(ascii: ":"))
                member.value.write(into: &output)
            }
            output.append(UInt8(ascii: "}"))
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                element.write(into: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .string(let string):
            JSONWriter.writeString(string, into: &output)
        case .number(let text):
            output.append(contentsOf: text.utf8)
        case .bool(let value):
            JSONWriter.writeLiteral(value ? "true" : "false", into: &output)
        case .null:
            JSONWriter.writeLiteral("null", into: &output)
        }
    }
}
