extension StringProtocol {
    /// Without the spaces and tabs around it (RFC 9110's optional whitespace), as header
    /// values, list items and configuration values are read.
    public var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
