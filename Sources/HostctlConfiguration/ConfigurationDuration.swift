/// .NET's TimeSpan text, the way durations are written in ASP.NET settings files
/// (`"KeepAliveTimeout": "00:02:10"`): `[-][d.]hh:mm[:ss[.fffffff]]`, or a whole number
/// of days (`"1"` is a day, as in .NET: not a second).
public enum ConfigurationDuration {
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text).drop { $0 == " " || $0 == "\t" }
        while let last = rest.last, last == " " || last == "\t" { rest.removeLast() }
        var negative = false
        if rest.first == "-" {
            negative = true
            rest.removeFirst()
        }
        guard !rest.isEmpty else { return nil }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        var nanoseconds: Int64
        if parts.count == 1 {
            guard let days = wholeNumber(parts[0]) else { return nil }
            let (total, overflow) = days.multipliedReportingOverflow(by: 86_400_000_000_000)
            guard !overflow else { return nil }
            nanoseconds = total
        } else {
            guard parts.count <= 3 else { return nil }
            var days: Int64 = 0
            var hoursText = parts[0]
            if let dot = hoursText.firstIndex(of: ".") {
                guard let parsedDays = wholeNumber(hoursText[..<dot]) else { return nil }
                days = parsedDays
                hoursText = hoursText[hoursText.index(after: dot)...]
            }
            guard let hours = wholeNumber(hoursText), hours < 24, let minutes = wholeNumber(parts[1]), minutes < 60 else { return nil }
            var seconds: Int64 = 0
            var fraction: Int64 = 0
            if parts.count == 3 {
                var secondsText = parts[2]
                if let dot = secondsText.firstIndex(of: ".") {
                    let digits = secondsText[secondsText.index(after: dot)...]
                    guard !digits.isEmpty, digits.count <= 7, let value = wholeNumber(digits) else { return nil }
                    fraction = value * power(10, 9 - digits.count)
                    secondsText = secondsText[..<dot]
                }
                guard let parsedSeconds = wholeNumber(secondsText), parsedSeconds < 60 else { return nil }
                seconds = parsedSeconds
            }
            let (total, overflow) = ((days * 24 + hours) * 60 + minutes).multipliedReportingOverflow(by: 60_000_000_000)
            guard !overflow else { return nil }
            nanoseconds = total + seconds * 1_000_000_000 + fraction
        }
        return .nanoseconds(negative ? -nanoseconds : nanoseconds)
    }

    private static func wholeNumber(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 9, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }

    private static func power(_ base: Int64, _ exponent: Int) -> Int64 {
        (0..<exponent).reduce(1) { result, _ in result * base }
    }
}
