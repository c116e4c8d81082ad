/// The IMF-fixdate of RFC 9110 §5.6.7 ("Sun, 06 Nov 1994 08:49:37 GMT"), the one format a
/// server sends in Date. Computed with integer arithmetic from seconds since the epoch (UTC):
/// no gmtime, no locale, no time zone database, no allocation.
public enum HTTPDate {
    /// Every IMF-fixdate is exactly this many bytes.
    public static let length = 29

    /// The range a four-digit year can show: 0000-01-01T00:00:00Z ... 9999-12-31T23:59:59Z.
    /// Times outside it are clamped to its ends.
    static let earliest = -62_167_219_200
    static let latest = 253_402_300_799

    /// Writes the date into the first 29 bytes of `destination` (which must hold at least that many).
    public static func write(secondsSinceEpoch: Int, into destination: UnsafeMutableRawBufferPointer) {
        precondition(destination.count >= length, "an IMF-fixdate needs 29 bytes")
        let seconds = min(max(secondsSinceEpoch, earliest), latest)
        let (days, secondOfDay) = floorDivision(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let weekday = floorDivision(days + 4, 7).remainder  // 1970-01-01 was a Thursday (4).

        let dayNames: StaticString = "SunMonTueWedThuFriSat"
        let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        let out = destination.baseAddress!
        func put(_ byte: UInt8, _ offset: Int) { out.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self) }
        func putDigits(_ value: Int, _ offset: Int, count: Int) {
            var rest = value
            for position in stride(from: offset + count - 1, through: offset, by: -1) {
                put(UInt8(truncatingIfNeeded: rest % 10) &+ 0x30, position)
                rest /= 10
            }
        }
        func putName(_ names: StaticString, _ index: Int, _ offset: Int) {
            for letter in 0..<3 { put(names.utf8Start[index * 3 + letter], offset + letter) }
        }

        putName(dayNames, weekday, 0)
        put(UInt8(ascii: ","), 3)
        put(UInt8(ascii: " "), 4)
        putDigits(day, 5, count: 2)
        put(UInt8(ascii: " "), 7)
        putName(monthNames, month - 1, 8)
        put(UInt8(ascii: " "), 11)
        putDigits(year, 12, count: 4)
        put(UInt8(ascii: " "), 16)
        putDigits(secondOfDay / 3600, 17, count: 2)
        put(UInt8(ascii: ":"), 19)
        putDigits(secondOfDay / 60 % 60, 20, count: 2)
        put(UInt8(ascii: ":"), 22)
        putDigits(secondOfDay % 60, 23, count: 2)
        put(UInt8(ascii: " "), 25)
        put(UInt8(ascii: "G"), 26)
        put(UInt8(ascii: "M"), 27)
        put(UInt8(ascii: "T"), 28)
    }

    /// The date as a String (for tests and logs; servers write into their buffer instead).
    public static func string(secondsSinceEpoch: Int) -> String {
        String(unsafeUninitializedCapacity: length) { buffer in
            write(secondsSinceEpoch: secondsSinceEpoch, into: UnsafeMutableRawBufferPointer(buffer))
            return length
        }
    }

    /// Quotient and non-negative remainder.
    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let quotient = value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
        return (quotient, value - quotient * divisor)
    }

    /// Year, month (1–12) and day (1–31) of the proleptic Gregorian calendar, from days since
    /// 1970-01-01: Howard Hinnant's `civil_from_days`, which counts from 0000-03-01 so the leap
    /// day falls at the end of each 400-year era's years.
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivision(shifted, 146_097).quotient
        let dayOfEra = shifted - era * 146_097                                                 // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)         // 0...365, from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153                                           // 0...11, March = 0
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
