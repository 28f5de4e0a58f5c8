/// Go `time.Duration` text: what Flux writes in `spec.interval` and prints in event messages.
public enum GoDuration {
    private static let units: [(String, Double)] = [
        ("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("μs", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600),
    ]

    /// Parses `1h30m`, `10m0s`, `1.5h`, `250ms`, `0` (Go `time.ParseDuration`); nil when malformed.
    public static func parse(_ text: String) -> Duration? {
        var rest = Substring(text)
        var negative = false
        if rest.first == "-" || rest.first == "+" { negative = rest.first == "-"; rest = rest.dropFirst() }
        if rest == "0" { return .zero }
        if rest.isEmpty { return nil }
        var seconds = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !$0.isNumber && $0 != "." }
            guard let unit = units.first(where: { $0.0 == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            seconds += value * unit.1
        }
        let duration = Duration.nanoseconds(Int64((seconds * 1e9).rounded()))
        return negative ? .zero - duration : duration
    }

    /// Go's `Duration.String()`: `10m0s`, `1h0m0s`, `1.5s`, `250ms`, `0s`.
    public static func format(_ duration: Duration) -> String {
        let (secs, atto) = duration.components
        var nanos = secs * 1_000_000_000 + atto / 1_000_000_000
        if nanos == 0 { return "0s" }
        let sign = nanos < 0 ? "-" : ""
        nanos = abs(nanos)
        if nanos < 1_000_000_000 {
            // Sub-second: the largest unit that keeps a whole part, as Go does.
            let (unit, size): (String, Int64) = nanos < 1_000 ? ("ns", 1) : nanos < 1_000_000 ? ("µs", 1_000) : ("ms", 1_000_000)
            return sign + fraction(nanos, size) + unit
        }
        let hours = nanos / 3_600_000_000_000
        let minutes = (nanos / 60_000_000_000) % 60
        let secondsPart = nanos % 60_000_000_000
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += fraction(secondsPart, 1_000_000_000) + "s"
        return out
    }

    /// `value / size` with the fractional digits Go prints (trailing zeros dropped).
    private static func fraction(_ value: Int64, _ size: Int64) -> String {
        let whole = value / size
        var remainder = value % size
        guard remainder > 0 else { return "\(whole)" }
        var digits = ""
        var scale = size / 10
        while remainder > 0 && scale > 0 {
            digits += "\(remainder / scale)"
            remainder %= scale
            scale /= 10
        }
        return "\(whole).\(digits)"
    }
}
