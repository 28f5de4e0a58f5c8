import Foundation

/// `string.format(list)` as cel-go's strings extension (version 4 and later, what notification-controller
/// enables) implements it: clauses `%s %d %f %e %b %x %X %o` with an optional `.precision`, and `%%`.
enum CELStringFormat {
    private static func failure(_ why: String) -> CELError { CELError(.invalidArgument, "format: \(why)") }

    static func format(_ template: String, _ arguments: [CELValue]) throws(CELError) -> String {
        let bytes = Array(template.utf8)
        var output: [UInt8] = []
        var i = 0
        var argumentIndex = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "%") else {
                output.append(bytes[i])
                i += 1
                continue
            }
            if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "%") {
                output.append(UInt8(ascii: "%"))
                i += 2
                continue
            }
            guard argumentIndex < arguments.count else { throw failure("index \(argumentIndex) out of range") }
            guard i + 1 < bytes.count else { throw failure("unexpected end of string") }
            i += 1
            var precision = 6
            if bytes[i] == UInt8(ascii: ".") {
                i += 1
                var digits = ""
                while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) {
                    digits.append(Character(Unicode.Scalar(bytes[i])))
                    i += 1
                }
                guard i < bytes.count else { throw failure("could not find end of precision specifier") }
                guard let value = Int(digits), value <= 1000 else { throw failure("invalid precision '\(digits)'") }
                precision = value
            }
            let clause = bytes[i]
            i += 1
            let text = try formatClause(clause, precision: precision, arguments[argumentIndex])
            output.append(contentsOf: Array(text.utf8))
            argumentIndex += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The clause letters, for the checker.
    static let clauses: Set<Character> = ["s", "d", "f", "e", "b", "x", "X", "o"]

    private static func formatClause(_ clause: UInt8, precision: Int, _ value: CELValue) throws(CELError) -> String {
        let letter = Character(Unicode.Scalar(clause))
        func wrong() -> CELError {
            CELError(.invalidArgument, "format: error during formatting: '%\(letter)' does not accept \(value.typeName)")
        }
        switch letter {
        case "s": return try string(value)
        case "d":
            switch value {
            case let .int(i): return String(i)
            case let .uint(u): return String(u)
            case let .double(d): return special(d) ?? CELFormat.goFixedShortest(d)
            default: throw wrong()
            }
        case "f", "e":
            let number: Double
            switch value {
            case let .int(i): number = Double(i)
            case let .uint(u): number = Double(u)
            case let .double(d): number = d
            default: throw wrong()
            }
            if let special = special(number) { return special }
            return String(format: letter == "f" ? "%.*f" : "%1.*e", Int32(precision), number)
        case "b":
            switch value {
            case let .bool(b): return b ? "1" : "0"
            case let .int(i): return String(i, radix: 2)
            case let .uint(u): return String(u, radix: 2)
            default: throw wrong()
            }
        case "x", "X":
            let text: String
            switch value {
            case let .int(i): text = String(i, radix: 16)
            case let .uint(u): text = String(u, radix: 16)
            case let .string(s): text = Array(s.utf8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            case let .bytes(b): text = b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            default: throw wrong()
            }
            return letter == "X" ? text.uppercased() : text
        case "o":
            switch value {
            case let .int(i): return String(i, radix: 8)
            case let .uint(u): return String(u, radix: 8)
            default: throw wrong()
            }
        default:
            throw CELError(.invalidArgument, "format: could not parse formatting clause: unrecognized formatting clause \"\(letter)\"")
        }
    }

    private static func special(_ d: Double) -> String? {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    /// `%s`: lists as `[a, b]`, maps as `{k: v}` sorted by the formatted key, strings unquoted.
    private static func string(_ value: CELValue) throws(CELError) -> String {
        switch value {
        case .null: return "null"
        case let .bool(b): return b ? "true" : "false"
        case let .int(i): return String(i)
        case let .uint(u): return String(u)
        case let .double(d): return special(d) ?? CELFormat.goFixedShortest(d)
        case let .string(s): return s
        case let .bytes(b):
            // cel-go appends the raw bytes; a CEL string cannot hold bytes that are not UTF-8.
            guard let text = String(validating: b, as: UTF8.self) else { throw .unsupported("'%s' of bytes that are not UTF-8") }
            return text
        case let .list(list):
            var parts: [String] = []
            for element in list { parts.append(try string(element)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case let .map(map):
            var entries: [(key: String, value: String)] = []
            for (key, element) in map { entries.append((try string(key.value), try string(element))) }
            entries.sort { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            return "{" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .optional:
            // cel-go's `%s` of an optional is not pinned down by cel-spec: refused, never guessed.
            throw .unsupported("'%s' of an optional value")
        }
    }
}
