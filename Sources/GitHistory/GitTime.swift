/// Commit times (whole seconds since 1970, as git stores them) written as RFC 3339 in UTC.
///
/// Written by hand because a listing formats one time per commit: building a date formatter per
/// commit cost more than the walk, and this is integer arithmetic on the seconds git gives.
public enum GitTime {
    /// `2026-11-22T05:24:28Z` for `seconds` since 1970 (years 0 to 9999).
    public static func rfc3339(_ seconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        appendRFC3339(seconds, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form of `seconds` to `bytes` (no allocation beyond the buffer's).
    public static func appendRFC3339(_ seconds: Int64, to bytes: inout [UInt8]) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's days_from_civil, inverted).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        digits(year, 4, &bytes)
        bytes.append(0x2D)
        digits(month, 2, &bytes)
        bytes.append(0x2D)
        digits(day, 2, &bytes)
        bytes.append(0x54)
        digits(secondOfDay / 3_600, 2, &bytes)
        bytes.append(0x3A)
        digits(secondOfDay / 60 % 60, 2, &bytes)
        bytes.append(0x3A)
        digits(secondOfDay % 60, 2, &bytes)
        bytes.append(0x5A)
    }

    private static func digits(_ value: Int64, _ width: Int, _ bytes: inout [UInt8]) {
        let value = min(max(value, 0), width == 4 ? 9_999 : 99)
        var divisor: Int64 = width == 4 ? 1_000 : 10
        while divisor > 0 {
            bytes.append(0x30 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
