import Foundation

/// A JSON document with keys in the order written, explicit nulls and integers kept integral: the
/// audit schema documents field order and null for unknown values, which `JSONEncoder` would not give.
public indirect enum AuditJSON: Sendable, Hashable {
    /// An object, keys in order.
    case object([(String, AuditJSON)])
    /// An array.
    case array([AuditJSON])
    /// A string.
    case string(String)
    /// An integer.
    case int(Int)
    /// A floating-point number.
    case double(Double)
    /// true or false.
    case bool(Bool)
    /// null.
    case null

    /// Compares structure and values.
    public static func == (lhs: AuditJSON, rhs: AuditJSON) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)): return a.map(\.0) == b.map(\.0) && a.map(\.1) == b.map(\.1)
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(serialized(pretty: false))
    }

    /// The document as text: two-space indentation when `pretty`, else on one line.
    public func serialized(pretty: Bool = true) -> String {
        var out = ""
        write(to: &out, indent: pretty ? 0 : nil)
        return out
    }

    /// Appends the value as nested `indent` levels deep (nil: on one line).
    func write(to out: inout String, indent: Int?) {
        let newline = indent.map { "\n" + String(repeating: "  ", count: $0 + 1) } ?? ""
        let close = indent.map { "\n" + String(repeating: "  ", count: $0) } ?? ""
        let inner = indent.map { $0 + 1 }
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                out += newline
                AuditJSON.string(key).write(to: &out, indent: nil)
                out += indent == nil ? ":" : ": "
                value.write(to: &out, indent: inner)
            }
            out += close + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                out += newline
                item.write(to: &out, indent: inner)
            }
            out += close + "]"
        case .string(let text):
            out += "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            out += "\""
        case .int(let value): out += String(value)
        case .double(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                out += String(Int(value))
            } else if value.isFinite {
                out += String(value)
            } else {
                out += "null"
            }
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        }
    }
}

extension Optional where Wrapped == Int {
    var json: AuditJSON { map(AuditJSON.int) ?? .null }
}

extension Optional where Wrapped == Double {
    var json: AuditJSON { map(AuditJSON.double) ?? .null }
}

extension Optional where Wrapped == String {
    var json: AuditJSON { map(AuditJSON.string) ?? .null }
}

extension Optional where Wrapped == Date {
    var json: AuditJSON { map { .string(RFC3339Time.format($0)) } ?? .null }
}

/// RFC 3339 times in UTC: whole seconds unless the time has a fraction.
public enum RFC3339Time {
    /// `2026-11-20T10:00:00Z`, or `2026-11-20T10:00:00.250Z` for a time with milliseconds.
    public static func format(_ date: Date) -> String {
        let whole = date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970
        return whole
            ? date.formatted(Date.ISO8601FormatStyle())
            : date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses RFC 3339 with or without fractional seconds.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
