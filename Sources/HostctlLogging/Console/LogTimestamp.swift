import Glibc

/// A timestamp in a .NET custom date format ("HH:mm:ss ", "yyyy-MM-ddTHH:mm:ss.fffZ "),
/// parsed once and applied to each entry where it is formatted (for the console, on the
/// thread that logs). Local time comes from the C library (TZ and /etc/localtime), UTC when
/// asked for.
struct LogTimestamp: Sendable {
    enum Token: Sendable, Equatable {
        case year4, year2, month, day, hour24, hour12, minute, second, amPM
        case fraction(digits: Int)
        case literal(String)
    }

    let tokens: [Token]
    let utc: Bool

    init(format: String, utc: Bool) {
        self.utc = utc
        var tokens: [Token] = []
        let characters = Array(format)
        var index = 0
        func run(of character: Character) -> Int {
            var end = index
            while end < characters.count, characters[end] == character { end += 1 }
            return end - index
        }
        while index < characters.count {
            let character = characters[index]
            var length = 1
            switch character {
            case "y":
                length = run(of: "y")
                tokens.append(length >= 3 ? .year4 : .year2)
            case "M": length = run(of: "M"); tokens.append(.month)
            case "d": length = run(of: "d"); tokens.append(.day)
            case "H": length = run(of: "H"); tokens.append(.hour24)
            case "h": length = run(of: "h"); tokens.append(.hour12)
            case "m": length = run(of: "m"); tokens.append(.minute)
            case "s": length = run(of: "s"); tokens.append(.second)
            case "t": length = run(of: "t"); tokens.append(.amPM)
            case "f", "F":
                length = run(of: character)
                tokens.append(.fraction(digits: min(length, 9)))
            case "'", "\"":
                var end = index + 1
                while end < characters.count, characters[end] != character { end += 1 }
                tokens.append(.literal(String(characters[(index + 1)..<min(end, characters.count)])))
                length = end - index + 1
            case "\\" where index + 1 < characters.count:
                tokens.append(.literal(String(characters[index + 1])))
                length = 2
            default:
                tokens.append(.literal(String(character)))
            }
            index += length
        }
        self.tokens = tokens
    }

    /// Writes the time `nanoseconds` after the epoch.
    func format(_ nanoseconds: Int64, into output: inout [UInt8]) {
        var seconds = time_t(nanoseconds / 1_000_000_000)
        let fraction = Int(nanoseconds % 1_000_000_000)
        var parts = tm()
        if utc { gmtime_r(&seconds, &parts) } else { localtime_r(&seconds, &parts) }
        func digits(_ value: Int, _ count: Int) { output.append(decimal: value, minimumDigits: count) }
        for token in tokens {
            switch token {
            case .year4: digits(Int(parts.tm_year) + 1900, 4)
            case .year2: digits((Int(parts.tm_year) + 1900) % 100, 2)
            case .month: digits(Int(parts.tm_mon) + 1, 2)
            case .day: digits(Int(parts.tm_mday), 2)
            case .hour24: digits(Int(parts.tm_hour), 2)
            case .hour12: digits((Int(parts.tm_hour) + 11) % 12 + 1, 2)
            case .minute: digits(Int(parts.tm_min), 2)
            case .second: digits(Int(parts.tm_sec), 2)
            case .amPM: output.append(parts.tm_hour < 12 ? "AM" : "PM")
            case .fraction(let count):
                var value = fraction
                for _ in 0..<(9 - count) { value /= 10 }
                digits(value, count)
            case .literal(let text): output.append(string: text)
            }
        }
    }
}
