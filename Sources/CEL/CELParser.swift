/// The parsed form of a CEL expression (macros already recognised).
indirect enum CELExpression: Sendable {
    case literal(CELValue)
    case identifier(String)
    case select(CELExpression, field: String)
    case index(CELExpression, CELExpression)
    /// A function or operator call; `target` is the receiver of `x.f(…)`.
    case call(String, target: CELExpression?, arguments: [CELExpression])
    case list([CELExpression])
    case map([(key: CELExpression, value: CELExpression)])
    case conditional(CELExpression, CELExpression, CELExpression)
    case and(CELExpression, CELExpression)
    case or(CELExpression, CELExpression)
    /// `has(operand.field)`.
    case has(CELExpression, field: String)
    /// The `all`, `exists`, `exists_one`, `map` and `filter` macros.
    case comprehension(CELComprehension, range: CELExpression, variable: String, predicate: CELExpression, transform: CELExpression?)
}

/// The comprehension macros CEL defines.
enum CELComprehension: String, Sendable {
    case all, exists
    case existsOne = "exists_one"
    case map, filter
}

/// A recursive-descent parser for CEL's grammar (precedence as in cel-spec `CEL.g4`).
struct CELParser {
    private var tokens: [(token: CELToken, offset: Int)]
    private var index = 0
    private var depth = 0

    /// Deep nesting is refused rather than allowed to exhaust the stack when evaluating (the evaluator recurses
    /// once per level); CEL requires implementations to accept at least 12 levels and 32 chained operators.
    static let maximumDepth = 200

    /// Counts one more level of the tree being built (nested or chained) and refuses too deep a tree.
    private mutating func deepen() throws(CELError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw CELError(.syntax, "expression nested or chained deeper than \(Self.maximumDepth) levels")
        }
    }

    init(_ source: String) throws(CELError) {
        var lexer = CELLexer(source)
        tokens = try lexer.tokenize()
    }

    mutating func parseExpression() throws(CELError) -> CELExpression {
        let expression = try expr()
        guard current == .end else { throw unexpected() }
        return expression
    }

    private var current: CELToken { tokens[index].token }

    private func unexpected() -> CELError {
        CELError(.syntax, "unexpected \(describe(current)) at offset \(tokens[index].offset)")
    }

    private func describe(_ token: CELToken) -> String {
        switch token {
        case let .identifier(name): "'\(name)'"
        case let .escapedIdentifier(name): "'`\(name)`'"
        case let .symbol(symbol): "'\(symbol)'"
        case .end: "end of expression"
        default: "literal"
        }
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if current == .symbol(symbol) {
            index += 1
            return true
        }
        return false
    }

    private mutating func expect(_ symbol: String) throws(CELError) {
        guard accept(symbol) else { throw unexpected() }
    }

    private mutating func expr() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        try deepen()
        let condition = try conditionalOr()
        guard accept("?") else { return condition }
        let then = try conditionalOr()
        try expect(":")
        let otherwise = try expr()
        return .conditional(condition, then, otherwise)
    }

    private mutating func conditionalOr() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var left = try conditionalAnd()
        while accept("||") {
            try deepen()
            left = .or(left, try conditionalAnd())
        }
        return left
    }

    private mutating func conditionalAnd() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var left = try relation()
        while accept("&&") {
            try deepen()
            left = .and(left, try relation())
        }
        return left
    }

    private mutating func relation() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var left = try addition()
        while true {
            let op: String
            if case let .symbol(s) = current, ["<", "<=", ">=", ">", "==", "!="].contains(s) {
                op = s
            } else if current == .identifier("in") {
                op = "in"
            } else {
                return left
            }
            index += 1
            try deepen()
            left = .call("_\(op)_", target: nil, arguments: [left, try addition()])
        }
    }

    private mutating func addition() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var left = try multiplication()
        while case let .symbol(s) = current, s == "+" || s == "-" {
            index += 1
            try deepen()
            left = .call("_\(s)_", target: nil, arguments: [left, try multiplication()])
        }
        return left
    }

    private mutating func multiplication() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var left = try unary()
        while case let .symbol(s) = current, s == "*" || s == "/" || s == "%" {
            index += 1
            try deepen()
            left = .call("_\(s)_", target: nil, arguments: [left, try unary()])
        }
        return left
    }

    private mutating func unary() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        if accept("!") {
            var count = 1
            while accept("!") {
                count += 1
                try deepen()
            }
            var operand = try member()
            for _ in 0..<count { operand = .call("!_", target: nil, arguments: [operand]) }
            return operand
        }
        if accept("-") {
            var count = 1
            while accept("-") {
                count += 1
                try deepen()
            }
            // A minus directly before a number literal belongs to the literal, so -9223372036854775808 is an int.
            var operand: CELExpression
            if case let .int(magnitude) = current, !followedByMemberSuffix() {
                index += 1
                guard magnitude <= UInt64(Int64.max) + 1 else { throw CELError(.syntax, "integer literal out of range: -\(magnitude)") }
                operand = .literal(.int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)))
                count -= 1
            } else if case let .double(value) = current, !followedByMemberSuffix() {
                index += 1
                operand = .literal(.double(-value))
                count -= 1
            } else {
                operand = try member()
            }
            for _ in 0..<count { operand = .call("-_", target: nil, arguments: [operand]) }
            return operand
        }
        return try member()
    }

    /// Whether the literal at the cursor is followed by `.` or `[` (then the minus applies to the whole member).
    private func followedByMemberSuffix() -> Bool {
        let next = tokens[min(index + 1, tokens.count - 1)].token
        return next == .symbol(".") || next == .symbol("[")
    }

    private mutating func member() throws(CELError) -> CELExpression {
        let saved = depth
        defer { depth = saved }
        var operand = try primary()
        while true {
            if current == .symbol(".") || current == .symbol("[") { try deepen() }
            if accept(".") {
                if accept("?") { throw CELError.unsupported("optional field selection '.?'") }
                let name: String
                switch current {
                case let .identifier(n) where !["true", "false", "null", "in"].contains(n): name = n
                case let .escapedIdentifier(n): name = n
                default: throw unexpected()
                }
                index += 1
                if accept("(") {
                    guard case .identifier = tokens[index - 2].token else { throw unexpected() }
                    let arguments = try argumentList(closing: ")")
                    operand = try memberCall(name, target: operand, arguments: arguments)
                } else if current == .symbol("{") {
                    throw CELError.unsupported("message construction '\(name){…}'")
                } else {
                    operand = .select(operand, field: name)
                }
            } else if accept("[") {
                if accept("?") { throw CELError.unsupported("optional index '[?'") }
                let key = try expr()
                try expect("]")
                operand = .index(operand, key)
            } else {
                return operand
            }
        }
    }

    private mutating func memberCall(_ name: String, target: CELExpression, arguments: [CELExpression]) throws(CELError) -> CELExpression {
        if let kind = CELComprehension(rawValue: name) {
            guard arguments.count == 2 || (kind == .map && arguments.count == 3) else {
                throw CELError(.syntax, "macro '\(name)' takes a variable and an expression")
            }
            guard case let .identifier(variable) = arguments[0] else {
                throw CELError(.syntax, "macro '\(name)' needs a simple variable name as its first argument")
            }
            if arguments.count == 3 {
                // map(x, filter, transform): keep the elements the filter accepts, then transform them.
                return .comprehension(.map, range: target, variable: variable, predicate: arguments[1], transform: arguments[2])
            }
            return .comprehension(kind, range: target, variable: variable, predicate: arguments[1], transform: nil)
        }
        return .call(name, target: target, arguments: arguments)
    }

    private mutating func argumentList(closing: String) throws(CELError) -> [CELExpression] {
        var arguments: [CELExpression] = []
        if accept(closing) { return arguments }
        repeat {
            arguments.append(try expr())
        } while accept(",")
        try expect(closing)
        return arguments
    }

    private mutating func primary() throws(CELError) -> CELExpression {
        let token = current
        index += 1
        switch token {
        case let .int(magnitude):
            guard magnitude <= UInt64(Int64.max) else { throw CELError(.syntax, "integer literal out of range: \(magnitude)") }
            return .literal(.int(Int64(magnitude)))
        case let .uint(value): return .literal(.uint(value))
        case let .double(value): return .literal(.double(value))
        case let .string(value): return .literal(.string(value))
        case let .bytes(value): return .literal(.bytes(value))
        case .symbol("("):
            let inner = try expr()
            try expect(")")
            return inner
        case .symbol("["):
            if current == .symbol("?") { throw CELError.unsupported("optional list element '?'") }
            var elements: [CELExpression] = []
            if !accept("]") {
                repeat {
                    if current == .symbol("]") { break }  // trailing comma
                    if current == .symbol("?") { throw CELError.unsupported("optional list element '?'") }
                    elements.append(try expr())
                } while accept(",")
                try expect("]")
            }
            return .list(elements)
        case .symbol("{"):
            var entries: [(key: CELExpression, value: CELExpression)] = []
            if !accept("}") {
                repeat {
                    if current == .symbol("}") { break }
                    if current == .symbol("?") { throw CELError.unsupported("optional map entry '?'") }
                    let key = try expr()
                    try expect(":")
                    entries.append((key, try expr()))
                } while accept(",")
                try expect("}")
            }
            return .map(entries)
        case .symbol("."):
            guard case let .identifier(name) = current else { throw unexpected() }
            throw CELError.unsupported("leading-dot (root-scoped) name '.\(name)'")
        case let .identifier(name):
            switch name {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            case "in": index -= 1; throw unexpected()
            default: break
            }
            if CELLexer.reserved.contains(name) { throw CELError(.syntax, "reserved identifier '\(name)'") }
            if accept("(") {
                let arguments = try argumentList(closing: ")")
                if name == "has" {
                    guard arguments.count == 1, case let .select(operand, field) = arguments[0] else {
                        throw CELError(.syntax, "has() needs a field selection such as has(a.b)")
                    }
                    return .has(operand, field: field)
                }
                return .call(name, target: nil, arguments: arguments)
            }
            if current == .symbol("{") { throw CELError.unsupported("message construction '\(name){…}'") }
            return .identifier(name)
        default:
            index -= 1
            throw unexpected()
        }
    }
}
