import Foundation

/// How far back to look (`--since`): a duration before now (`90m`, `72h`, `7d`, `2w`) or a date
/// (`2026-11-01`, `2026-11-01T12:00:00Z`).
public enum Horizon {
    /// Parses `text` relative to `now`; nil when it is neither a duration nor a date.
    public static func parse(_ text: String, now: Date = Date()) -> Date? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800]
        if let unit = text.last, let scale = units[unit], let value = Double(text.dropLast()), value >= 0 {
            return now.addingTimeInterval(-value * scale)
        }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day())
    }
}
