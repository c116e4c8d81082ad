extension HTTPDate {
    /// Seconds since the epoch of an HTTP date (If-Modified-Since, If-Range), or nil when
    /// the text is not one. RFC 9110 §5.6.7 asks recipients to accept all three formats:
    /// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), the obsolete RFC 850 form
    /// ("Sunday, 06-Nov-94 08:49:37 GMT", a two-digit year read as 1970–2069) and asctime's
    /// ("Sun Nov  6 08:49:37 1994"). The weekday is not checked against the date.
    public static func parse(_ text: some StringProtocol) -> Int? {
        var scanner = DateScanner(Array(text.utf8))
        scanner.skipSpaces()
        guard scanner.skipLetters(min: 3) else { return nil }
        if scanner.take(UInt8(ascii: ",")) {
            scanner.skipSpaces()
            guard let day = scanner.number(digits: 2) else { return nil }
            if scanner.take(UInt8(ascii: "-")) {
                // RFC 850: DD-Mon-YY HH:MM:SS GMT
                guard let month = scanner.month(), scanner.take(UInt8(ascii: "-")), let shortYear = scanner.number(digits: 2) else { return nil }
                return scanner.timeAndZone(year: shortYear < 70 ? 2000 + shortYear : 1900 + shortYear, month: month, day: day)
            }
            // IMF-fixdate: DD Mon YYYY HH:MM:SS GMT
            guard scanner.take(UInt8(ascii: " ")), let month = scanner.month(), scanner.take(UInt8(ascii: " ")),
                  let year = scanner.number(digits: 4) else { return nil }
            return scanner.timeAndZone(year: year, month: month, day: day)
        }
        // asctime: Mon DD HH:MM:SS YYYY (the day space-padded)
        guard scanner.take(UInt8(ascii: " ")), let month = scanner.month(), scanner.take(UInt8(ascii: " ")) else { return nil }
        _ = scanner.take(UInt8(ascii: " "))
        guard let day = scanner.number(maxDigits: 2), scanner.take(UInt8(ascii: " ")), let time = scanner.time(),
              scanner.take(UInt8(ascii: " ")), let year = scanner.number(digits: 4) else { return nil }
        scanner.skipSpaces()
        guard scanner.atEnd else { return nil }
        return secondsSinceEpoch(year: year, month: month, day: day, time: time)
    }

    /// Seconds since the epoch of a UTC date and time; nil for an impossible date.
    static func secondsSinceEpoch(year: Int, month: Int, day: Int, time: Int) -> Int? {
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil, the inverse of `civilDate`.
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return (era * 146_097 + dayOfEra - 719_468) * 86_400 + time
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A cursor over a date's bytes.
private struct DateScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func skipSpaces() { while take(UInt8(ascii: " ")) {} }

    mutating func skipLetters(min: Int) -> Bool {
        let start = index
        while index < bytes.count, (bytes[index] | 0x20) >= 0x61, (bytes[index] | 0x20) <= 0x7A { index += 1 }
        return index - start >= min
    }

    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    mutating func number(maxDigits: Int) -> Int? {
        var value = 0
        let start = index
        while index < bytes.count, index - start < maxDigits, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        return index > start ? value : nil
    }

    mutating func month() -> Int? {
        guard index + 3 <= bytes.count else { return nil }
        let names: [[UInt8]] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map { Array($0.utf8) }
        let word = Array(bytes[index..<(index + 3)])
        guard let found = names.firstIndex(of: word) else { return nil }
        index += 3
        return found + 1
    }

    /// HH:MM:SS as seconds of the day (a leap second, 60, is allowed, as RFC 5322 does).
    mutating func time() -> Int? {
        guard let hours = number(digits: 2), hours < 24, take(UInt8(ascii: ":")), let minutes = number(digits: 2), minutes < 60,
              take(UInt8(ascii: ":")), let seconds = number(digits: 2), seconds <= 60 else { return nil }
        return hours * 3600 + minutes * 60 + seconds
    }

    /// " HH:MM:SS GMT" to the end.
    mutating func timeAndZone(year: Int, month: Int, day: Int) -> Int? {
        guard take(UInt8(ascii: " ")), let time = time(), take(UInt8(ascii: " ")), take(UInt8(ascii: "G")), take(UInt8(ascii: "M")),
              take(UInt8(ascii: "T")) else { return nil }
        skipSpaces()
        guard atEnd else { return nil }
        return HTTPDate.secondsSinceEpoch(year: year, month: month, day: day, time: time)
    }
}
