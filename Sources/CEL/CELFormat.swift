/// Text forms of values: CEL-like literals for messages, and Go's number formats where CEL results depend on them.
enum CELFormat {
    /// A value written roughly as a CEL literal, for error messages.
    static func quoted(_ value: CELValue) -> String {
        switch value {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .uint(u): return "\(u)u"
        case let .double(d): return goFloat(d)
        case let .string(s): return "'\(s)'"
        case let .bytes(b): return "b'" + b.map { ($0 < 16 ? "\\x0" : "\\x") + String($0, radix: 16) }.joined() + "'"
        case let .list(l): return "[\(l.map(quoted).joined(separator: ", "))]"
        case let .map(m):
            let entries = m.sorted { sortKey($0.key.value) < sortKey($1.key.value) }
            return "{\(entries.map { "\(quoted($0.key.value)): \(quoted($0.value))" }.joined(separator: ", "))}"
        case let .optional(o): return o.map { "optional.of(\(quoted($0)))" } ?? "optional.none()"
        }
    }

    /// A deterministic ordering key (type first, then value) for iterating map keys.
    static func sortKey(_ value: CELValue) -> String {
        switch value {
        case let .int(i):
            // Flipping the sign bit orders negative numbers before positive ones as unsigned numbers.
            let biased = String(UInt64(bitPattern: i) ^ (1 << 63))
            return "int:" + String(repeating: "0", count: 20 - biased.count) + biased
        case let .uint(u): return "uint:" + String(repeating: "0", count: 20 - String(u).count) + String(u)
        default: return "\(value.typeName):\(quoted(value))"
        }
    }

    /// Go's `%g` for a float64 (shortest round-trip digits; exponent form below 1e-4 or from 1e6),
    /// which is what CEL's `string(double)` produces in cel-go.
    static func goFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (digits, decimalPoint) = shortestDigits(value.magnitude)
        let sign = value < 0 ? "-" : ""
        let x = decimalPoint - 1
        if x < -4 || x >= 6 {
            var mantissa = String(digits.first!)
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let magnitude = abs(x)
            return sign + mantissa + "e" + (x < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        }
        return sign + fixed(digits, decimalPoint)
    }

    /// Go's `strconv.FormatFloat(d, 'f', -1, 64)`: shortest round-trip digits, never an exponent.
    static func goFixedShortest(_ value: Double) -> String {
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        let (digits, decimalPoint) = shortestDigits(value.magnitude)
        return (value < 0 ? "-" : "") + fixed(digits, decimalPoint)
    }

    private static func fixed(_ digits: String, _ decimalPoint: Int) -> String {
        if decimalPoint <= 0 { return "0." + String(repeating: "0", count: -decimalPoint) + digits }
        if decimalPoint >= digits.count { return digits + String(repeating: "0", count: decimalPoint - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: decimalPoint)
        return digits[..<split] + "." + digits[split...]
    }

    /// The shortest digits that round-trip a positive finite double, as 0.d1d2… × 10^decimalPoint.
    /// Swift's `description` prints exactly those digits; this takes it apart.
    private static func shortestDigits(_ magnitude: Double) -> (digits: String, decimalPoint: Int) {
        var text = "\(magnitude)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var digits = text
        var pointPosition = text.count
        if let dot = text.firstIndex(of: ".") {
            pointPosition = text.distance(from: text.startIndex, to: dot)
            digits = text.filter { $0 != "." }
        }
        while digits.hasPrefix("0"), digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0"), digits.count > 1 { digits.removeLast() }
        return (digits, pointPosition + exponent)
    }

    /// Go's `strconv.ParseFloat` for the forms CEL's `double(string)` meets: decimal, exponent, inf/infinity/nan
    /// (any case, optional sign), and hexadecimal with a `p` exponent.
    static func parseDouble(_ text: String) -> Double? {
        var body = Substring(text)
        var negative = false
        var signed = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            signed = true
            body = body.dropFirst()
        }
        switch body.lowercased() {
        case "inf", "infinity": return negative ? -.infinity : .infinity
        case "nan": return signed ? nil : .nan
        default: break
        }
        let lower = body.lowercased()
        if lower.hasPrefix("0x") {
            // Go requires the binary exponent of a hexadecimal float; Swift would accept "0x10" without it.
            guard lower.contains("p"), lower.dropFirst(2).allSatisfy({ $0.isHexDigit || ".p+-".contains($0) }) else { return nil }
        } else {
            guard !body.isEmpty, body.allSatisfy({ $0.isASCII && ($0.isNumber || ".eE+-".contains($0)) }),
                body.contains(where: \.isNumber)
            else { return nil }
        }
        guard let magnitude = Double(String(body)) else { return nil }
        return negative ? -magnitude : magnitude
    }
}

extension CELValue: CustomStringConvertible {
    /// The value written as a CEL literal (`'text'`, `42u`, `[1, 2]`, `{'k': 'v'}`), for messages.
    public var description: String { CELFormat.quoted(self) }
}
