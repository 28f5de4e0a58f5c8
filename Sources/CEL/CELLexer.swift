/// One token of CEL source.
enum CELToken: Equatable {
    case identifier(String)
    /// A back-quoted identifier (only valid after `.`), for field names such as `a-b`.
    case escapedIdentifier(String)
    case int(UInt64)  // magnitude; the parser applies a leading minus (so -9223372036854775808 fits)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case symbol(String)
    case end
}

/// Splits CEL source into tokens, following the lexer rules of the CEL grammar (cel-spec `CEL.g4`).
struct CELLexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ source: String) { scalars = Array(source.unicodeScalars) }

    /// Reserved words CEL refuses as identifiers.
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ]

    mutating func tokenize() throws(CELError) -> [(token: CELToken, offset: Int)] {
        var tokens: [(token: CELToken, offset: Int)] = []
        while true {
            skipTrivia()
            let start = position
            let token = try next()
            tokens.append((token, start))
            if token == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private mutating func skipTrivia() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\u{0C}" {
                position += 1
            } else if c == "/", peek(1) == "/" {
                while let c = peek(), c != "\n" { position += 1 }
            } else {
                return
            }
        }
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }
    private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": c.value - 48
        case "a"..."f": c.value - 87
        case "A"..."F": c.value - 55
        default: nil
        }
    }

    private func syntax(_ message: String) -> CELError { CELError(.syntax, "\(message) at offset \(position)") }

    private mutating func next() throws(CELError) -> CELToken {
        guard let c = peek() else { return .end }
        if Self.isDigit(c) || (c == "." && peek(1).map(Self.isDigit) == true) { return try number() }
        if c == "\"" || c == "'" { return .string(try stringLiteral(raw: false, bytes: false).string) }
        if Self.isLetter(c) {
            // String prefixes: r, R (raw), b, B (bytes), b followed by r (raw bytes).
            let lower = Character(c).lowercased()
            if lower == "r", let q = peek(1), q == "\"" || q == "'" {
                position += 1
                return .string(try stringLiteral(raw: true, bytes: false).string)
            }
            if lower == "b", let q = peek(1), q == "\"" || q == "'" {
                position += 1
                return .bytes(try stringLiteral(raw: false, bytes: true).bytes)
            }
            if lower == "b", let r = peek(1), r == "r" || r == "R", let q = peek(2), q == "\"" || q == "'" {
                position += 2
                return .bytes(try stringLiteral(raw: true, bytes: true).bytes)
            }
            var name = ""
            while let d = peek(), Self.isLetter(d) || Self.isDigit(d) {
                name.unicodeScalars.append(d)
                position += 1
            }
            return .identifier(name)
        }
        if c == "`" {
            position += 1
            var name = ""
            while let d = peek(), d != "`" {
                guard Self.isLetter(d) || Self.isDigit(d) || ".-/ ".unicodeScalars.contains(d) else {
                    throw syntax("invalid character in a quoted identifier")
                }
                name.unicodeScalars.append(d)
                position += 1
            }
            guard peek() == "`", !name.isEmpty else { throw syntax("unterminated quoted identifier") }
            position += 1
            return .escapedIdentifier(name)
        }
        for symbol in ["==", "!=", "<=", ">=", "&&", "||"] where matches(symbol) {
            position += 2
            return .symbol(symbol)
        }
        if "<>!?:.,[]{}()+-*/%".unicodeScalars.contains(c) {
            position += 1
            return .symbol(String(c))
        }
        throw syntax("unexpected character '\(c)'")
    }

    private func matches(_ text: String) -> Bool {
        for (i, s) in text.unicodeScalars.enumerated() where peek(i) != s { return false }
        return true
    }

    private mutating func number() throws(CELError) -> CELToken {
        let start = position
        // Only a lowercase `0x` starts a hexadecimal literal in CEL's grammar.
        if peek() == "0", peek(1) == "x", peek(2).flatMap(Self.hexValue) != nil {
            position += 2
            var value: UInt64 = 0
            while let c = peek(), let digit = Self.hexValue(c) {
                let (shifted, o1) = value.multipliedReportingOverflow(by: 16)
                let (sum, o2) = shifted.addingReportingOverflow(UInt64(digit))
                if o1 || o2 { throw syntax("integer literal out of range") }
                value = sum
                position += 1
            }
            if let u = peek(), u == "u" || u == "U" {
                position += 1
                return .uint(value)
            }
            return .int(value)
        }
        while let c = peek(), Self.isDigit(c) { position += 1 }
        var isDouble = false
        if peek() == ".", let d = peek(1), Self.isDigit(d) {
            isDouble = true
            position += 1
            while let c = peek(), Self.isDigit(c) { position += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var ahead = 1
            if let sign = peek(1), sign == "+" || sign == "-" { ahead = 2 }
            if let d = peek(ahead), Self.isDigit(d) {
                isDouble = true
                position += ahead
                while let c = peek(), Self.isDigit(c) { position += 1 }
            }
        }
        var text = ""
        text.unicodeScalars.append(contentsOf: scalars[start..<position])
        if isDouble {
            guard let value = Double(text) else { throw syntax("invalid double literal '\(text)'") }
            return .double(value)
        }
        guard let value = UInt64(text) else { throw syntax("integer literal out of range: \(text)") }
        if let u = peek(), u == "u" || u == "U" {
            position += 1
            return .uint(value)
        }
        return .int(value)
    }

    /// Reads a quoted literal at the current quote. Strings collect code points, bytes collect bytes
    /// (`\x`/octal escapes are raw bytes there, code points in strings, as in CEL).
    private mutating func stringLiteral(raw: Bool, bytes: Bool) throws(CELError) -> (string: String, bytes: [UInt8]) {
        guard let quote = peek() else { throw syntax("unterminated string") }
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        var string = ""
        var data: [UInt8] = []
        func append(_ scalar: Unicode.Scalar) {
            if bytes { data.append(contentsOf: Array(String(scalar).utf8)) } else { string.unicodeScalars.append(scalar) }
        }
        while true {
            guard let c = peek() else { throw syntax("unterminated string literal") }
            if c == quote {
                if !triple {
                    position += 1
                    break
                }
                if peek(1) == quote, peek(2) == quote {
                    position += 3
                    break
                }
            }
            if !triple, c == "\n" || c == "\r" { throw syntax("newline in a single-quoted string literal") }
            if c == "\\" && !raw {
                position += 1
                guard let e = peek() else { throw syntax("unterminated escape sequence") }
                position += 1
                switch e {
                case "a": append("\u{07}")
                case "b": append("\u{08}")
                case "f": append("\u{0C}")
                case "n": append("\n")
                case "r": append("\r")
                case "t": append("\t")
                case "v": append("\u{0B}")
                case "\"", "'", "\\", "?", "`": append(e)
                case "x", "X":
                    let value = try hexDigits(2)
                    if bytes { data.append(UInt8(value)) } else { append(Unicode.Scalar(UInt8(value))) }
                case "u", "U":
                    let value = try hexDigits(e == "u" ? 4 : 8)
                    guard let scalar = Unicode.Scalar(value) else { throw syntax("invalid code point in escape") }
                    append(scalar)
                case "0"..."3":
                    guard let d1 = peek(), let d2 = peek(1), ("0"..."7").contains(d1), ("0"..."7").contains(d2) else {
                        throw syntax("invalid octal escape")
                    }
                    position += 2
                    let value = (e.value - 48) * 64 + (d1.value - 48) * 8 + (d2.value - 48)
                    if bytes { data.append(UInt8(value)) } else { append(Unicode.Scalar(UInt8(value))) }
                default: throw syntax("invalid escape sequence '\\\(e)'")
                }
                continue
            }
            append(c)
            position += 1
        }
        return (string, data)
    }

    private mutating func hexDigits(_ count: Int) throws(CELError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let c = peek(), let digit = Self.hexValue(c) else { throw syntax("invalid hexadecimal escape") }
            value = value * 16 + digit
            position += 1
        }
        return value
    }
}
