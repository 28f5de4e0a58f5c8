/// A Kubernetes label selector (`app=web,tier!=db,env in (prod,staging),team,!legacy`), parsed
/// with the grammar and validation of k8s.io/apimachinery `labels.Parse`, so what it rejects is
/// what the API server would reject with a 400.
///
/// Operators: `=`, `==`, `!=`, `in (…)`, `notin (…)`, a bare key (exists), `!key` (does not
/// exist), and `>`/`<` against an integer. Keys are qualified names (`prefix/name`, the prefix a
/// DNS subdomain); values are at most 63 characters of `[A-Za-z0-9._-]`, starting and ending
/// alphanumeric, or empty.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    /// How a requirement compares a label.
    public enum Operator: String, Sendable, Equatable {
        /// `key=value` or `key==value`.
        case equals = "="
        /// `key!=value` (also true when the label is absent).
        case notEquals = "!="
        /// `key in (a,b)`.
        case `in` = "in"
        /// `key notin (a,b)` (also true when the label is absent).
        case notIn = "notin"
        /// `key`.
        case exists = "exists"
        /// `!key`.
        case doesNotExist = "!"
        /// `key>3`.
        case greaterThan = ">"
        /// `key<3`.
        case lessThan = "<"
    }

    /// One comma-separated part of a selector.
    public struct Requirement: Sendable, Equatable {
        /// The label key.
        public var key: String
        /// The comparison.
        public var op: Operator
        /// The values compared against (empty for exists / does not exist).
        public var values: [String]
    }

    /// The requirements, all of which must hold.
    public var requirements: [Requirement]
    /// The text it was parsed from.
    public var description: String

    /// Parses `text`; an empty text selects everything. Throws `KubeError.invalidLabelSelector`
    /// naming the first problem.
    public init(parsing text: String) throws(KubeError) {
        description = text
        var parser = Parser(text: text)
        do throws(SelectorSyntaxError) {
            requirements = try parser.parse()
        } catch {
            throw KubeError.invalidLabelSelector(selector: text, reason: error.reason)
        }
    }

    /// Whether `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { r in
            let value = labels[r.key]
            switch r.op {
            case .equals: return value == r.values.first
            case .notEquals: return value != r.values.first
            case .in: return value.map(r.values.contains) ?? false
            case .notIn: return !(value.map(r.values.contains) ?? false)
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan, .lessThan:
                guard let have = value.flatMap({ Int64($0) }), let want = r.values.first.flatMap({ Int64($0) }) else { return false }
                return r.op == .greaterThan ? have > want : have < want
            }
        }
    }
}

/// Why a selector did not parse (one sentence, no trailing punctuation).
struct SelectorSyntaxError: Error {
    var reason: String
}

/// The lexer and recursive-descent parser, mirroring apimachinery's `labels.Parser`.
private struct Parser {
    enum Token: Equatable {
        case identifier(String)
        case equals, doubleEquals, notEquals, bang, openParen, closeParen, comma, greater, less
        case end

        var shown: String {
            switch self {
            case let .identifier(s): return "\"\(s)\""
            case .equals: return "\"=\""
            case .doubleEquals: return "\"==\""
            case .notEquals: return "\"!=\""
            case .bang: return "\"!\""
            case .openParen: return "\"(\""
            case .closeParen: return "\")\""
            case .comma: return "\",\""
            case .greater: return "\">\""
            case .less: return "\"<\""
            case .end: return "the end"
            }
        }
    }

    private var tokens: [Token] = []
    private var position = 0

    init(text: String) {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        let special: Set<Unicode.Scalar> = ["=", "!", "(", ")", ",", ">", "<"]
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.isWhitespace { i += 1; continue }
            switch c {
            case "=":
                if i + 1 < scalars.count, scalars[i + 1] == "=" {
                    tokens.append(.doubleEquals); i += 2
                } else {
                    tokens.append(.equals); i += 1
                }
            case "!":
                if i + 1 < scalars.count, scalars[i + 1] == "=" { tokens.append(.notEquals); i += 2 } else { tokens.append(.bang); i += 1 }
            case "(": tokens.append(.openParen); i += 1
            case ")": tokens.append(.closeParen); i += 1
            case ",": tokens.append(.comma); i += 1
            case ">": tokens.append(.greater); i += 1
            case "<": tokens.append(.less); i += 1
            default:
                var word = String.UnicodeScalarView()
                while i < scalars.count, !special.contains(scalars[i]), !scalars[i].properties.isWhitespace {
                    word.append(scalars[i])
                    i += 1
                }
                tokens.append(.identifier(String(word)))
            }
        }
        tokens.append(.end)
    }

    private var current: Token { tokens[position] }
    private mutating func next() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func parse() throws(SelectorSyntaxError) -> [LabelSelector.Requirement] {
        var out: [LabelSelector.Requirement] = []
        if current == .end { return out }
        while true {
            out.append(try requirement())
            switch next() {
            case .end: return out
            case .comma:
                if current == .end { throw SelectorSyntaxError(reason: "it ends with a comma; remove it or add a requirement after it") }
            case let other:
                throw SelectorSyntaxError(reason: "found \(other.shown) after a complete requirement where a comma or the end was expected")
            }
        }
    }

    private mutating func requirement() throws(SelectorSyntaxError) -> LabelSelector.Requirement {
        if current == .bang {
            _ = next()
            let key = try self.key(after: "\"!\"")
            return .init(key: key, op: .doesNotExist, values: [])
        }
        let key = try self.key(after: nil)
        switch current {
        case .end, .comma:
            return .init(key: key, op: .exists, values: [])
        case .equals, .doubleEquals, .notEquals:
            let op: LabelSelector.Operator = next() == .notEquals ? .notEquals : .equals
            var value = ""
            if case let .identifier(v) = current {
                value = v
                _ = next()
            } else if current != .end && current != .comma {
                throw SelectorSyntaxError(reason: "found \(current.shown) where the value of \(key)\(op.rawValue) was expected")
            }
            try validateValue(value, key: key)
            return .init(key: key, op: op, values: [value])
        case .greater, .less:
            let op: LabelSelector.Operator = next() == .greater ? .greaterThan : .lessThan
            guard case let .identifier(v) = next(), Int64(v) != nil else {
                throw SelectorSyntaxError(reason: "\(key)\(op.rawValue) needs one integer value")
            }
            return .init(key: key, op: op, values: [v])
        case .identifier("in"), .identifier("notin"):
            let op: LabelSelector.Operator = next() == .identifier("in") ? .in : .notIn
            guard next() == .openParen else {
                throw SelectorSyntaxError(
                    reason: "\(key) \(op.rawValue) must be followed by a parenthesised list, e.g. \(key) \(op.rawValue) (a,b)")
            }
            var values: [String] = []
            while true {
                var value = ""
                if case let .identifier(v) = current {
                    value = v
                    _ = next()
                }
                try validateValue(value, key: key)
                values.append(value)
                switch next() {
                case .comma: continue
                case .closeParen:
                    if values == [""] { throw SelectorSyntaxError(reason: "\(key) \(op.rawValue) () has no values") }
                    return .init(key: key, op: op, values: values)
                case .end:
                    throw SelectorSyntaxError(reason: "the list after \(key) \(op.rawValue) is not closed with \")\"")
                case let other:
                    throw SelectorSyntaxError(
                        reason: "found \(other.shown) in the list after \(key) \(op.rawValue) where \",\" or \")\" was expected")
                }
            }
        case let other:
            throw SelectorSyntaxError(
                reason: "found \(other.shown) after the key \"\(key)\" where an operator (=, ==, !=, in, notin), "
                    + "a comma or the end was expected")
        }
    }

    private mutating func key(after: String?) throws(SelectorSyntaxError) -> String {
        guard case let .identifier(key) = current else {
            let place = after.map { "after \($0)" } ?? (position == 0 ? "at the start" : "after \(tokens[position - 1].shown)")
            throw SelectorSyntaxError(reason: "found \(current.shown) \(place) where a label key was expected")
        }
        _ = next()
        if let problem = Self.keyProblem(key) { throw SelectorSyntaxError(reason: "the key \"\(key)\" \(problem)") }
        return key
    }

    private func validateValue(_ value: String, key: String) throws(SelectorSyntaxError) {
        if value.isEmpty { return }
        if let problem = Self.nameProblem(value) { throw SelectorSyntaxError(reason: "the value \"\(value)\" of \(key) \(problem)") }
    }

    /// apimachinery `IsQualifiedName`: `[prefix/]name`.
    static func keyProblem(_ key: String) -> String? {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1:
            return parts[0].isEmpty ? "is empty" : nameProblem(parts[0])
        case 2:
            if parts[0].isEmpty { return "has an empty prefix before \"/\"" }
            if let problem = subdomainProblem(parts[0]) { return "has a prefix that \(problem)" }
            if parts[1].isEmpty { return "has an empty name after \"/\"" }
            return nameProblem(parts[1])
        default:
            return "has more than one \"/\""
        }
    }

    /// A label name or value: at most 63 characters, `[A-Za-z0-9._-]`, alphanumeric at both ends.
    static func nameProblem(_ name: String) -> String? {
        if name.utf8.count > 63 { return "is longer than 63 characters" }
        let isAlnum: (Unicode.Scalar) -> Bool = { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }
        for c in name.unicodeScalars where !(isAlnum(c) || c == "-" || c == "_" || c == ".") {
            return "contains \"\(c)\" (only letters, digits, \"-\", \"_\" and \".\" are allowed)"
        }
        if let first = name.unicodeScalars.first, let last = name.unicodeScalars.last, !isAlnum(first) || !isAlnum(last) {
            return "must start and end with a letter or digit"
        }
        return nil
    }

    /// A DNS-1123 subdomain: at most 253 characters, lower-case alphanumerics, `-` and `.`.
    static func subdomainProblem(_ name: String) -> String? {
        if name.utf8.count > 253 { return "is longer than 253 characters" }
        for label in name.split(separator: ".", omittingEmptySubsequences: false) {
            let ok =
                !label.isEmpty && label.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
                && label.first != "-" && label.last != "-"
            if !ok { return "is not a lower-case DNS subdomain" }
        }
        return nil
    }
}
