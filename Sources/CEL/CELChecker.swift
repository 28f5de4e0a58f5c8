/// A static CEL type, as CEL's checker deduces it.
public indirect enum CELType: Sendable, Hashable, CustomStringConvertible {
    /// `bool`.
    case bool
    /// `int`.
    case int
    /// `uint`.
    case uint
    /// `double`.
    case double
    /// `string`.
    case string
    /// `bytes`.
    case bytes
    /// `null_type`.
    case null
    /// `list(element)`.
    case list(CELType)
    /// `map(key, value)`.
    case map(CELType, CELType)
    /// `dyn`: only known when evaluated (every field of a JSON object is `dyn`).
    case dyn
    /// `optional_type(value)` (CEL's optional types).
    case optional(CELType)

    /// The type as CEL prints it (`string`, `list(string)`, `dyn`, …).
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .null: "null_type"
        case let .list(element): "list(\(element))"
        case let .map(key, value): "map(\(key), \(value))"
        case .dyn: "dyn"
        case let .optional(value): "optional_type(\(value))"
        }
    }
}

extension CELProgram {
    /// Type-checks the expression the way notification-controller compiles `commitStatusExpr` (cel-go's checker
    /// with each variable a `google.protobuf.Struct`, whose fields are `dyn`) and returns the deduced type.
    ///
    /// NC refuses an expression whose deduced type is not `string` (so `event.metadata.env` alone, which is
    /// `dyn`, is refused while `event.metadata.env + ''` is accepted), and one that names an undeclared
    /// variable or function. Throws `.undeclaredReference`, `.noSuchOverload` (operand types that can never
    /// match, such as `'a' + 1`) or `.unsupported`. Where this checker is less precise than cel-go's it
    /// deduces `dyn`, which makes a caller refuse rather than guess.
    ///
    /// `homogeneousAggregateLiterals` (on in notification-controller) refuses list and map literals that mix
    /// element types; off, such literals are lists and maps of `dyn`, as in plain CEL.
    public func checkedType(variables: Set<String>, homogeneousAggregateLiterals: Bool = true) throws(CELError) -> CELType {
        var checker = CELChecker(variables: variables)
        checker.homogeneous = homogeneousAggregateLiterals
        return try checker.check(expression)
    }
}

/// A partial reimplementation of CEL's type checker over this evaluator's features.
struct CELChecker {
    var variables: Set<String>
    var locals: [String: CELType] = [:]
    var homogeneous = true

    /// Type names CEL also accepts as values (`type(x) == int`); type values are not modelled here.
    static let typeDenotations: Set<String> = ["bool", "int", "uint", "double", "string", "bytes", "list", "map", "null_type", "type"]

    init(variables: Set<String>) { self.variables = variables }

    private static func mismatch(_ function: String, _ types: [CELType]) -> CELError {
        let list = types.map(\.description).joined(separator: ", ")
        return CELError(.noSuchOverload, "found no matching overload for '\(function)' applied to (\(list))")
    }

    /// Whether two types can meet (dyn meets anything; containers meet element-wise).
    private static func compatible(_ a: CELType, _ b: CELType) -> Bool {
        switch (a, b) {
        case (.dyn, _), (_, .dyn): true
        case let (.list(x), .list(y)): compatible(x, y)
        case let (.map(k1, v1), .map(k2, v2)): compatible(k1, k2) && compatible(v1, v2)
        case let (.optional(x), .optional(y)): compatible(x, y)
        default: a == b
        }
    }

    /// The more specific of two compatible types (a type parameter bound by both).
    private static func join(_ a: CELType, _ b: CELType) -> CELType {
        switch (a, b) {
        case (.dyn, _), (_, .dyn): .dyn
        case let (.list(x), .list(y)): .list(join(x, y))
        case let (.map(k1, v1), .map(k2, v2)): .map(join(k1, k2), join(v1, v2))
        case let (.optional(x), .optional(y)): .optional(join(x, y))
        default: a
        }
    }

    private static func isNumeric(_ t: CELType) -> Bool { t == .int || t == .uint || t == .double }

    func check(_ expression: CELExpression) throws(CELError) -> CELType {
        switch expression {
        case let .literal(value): return Self.type(of: value)
        case let .identifier(name):
            if let local = locals[name] { return local }
            if !variables.contains(name), Self.typeDenotations.contains(name) { throw .unsupported("type value '\(name)'") }
            guard variables.contains(name) else { throw CELError(.undeclaredReference, "undeclared reference to '\(name)'") }
            return .map(.string, .dyn)
        case let .select(operand, _):
            let type = try check(operand)
            switch type {
            case .dyn: return .dyn
            case let .map(key, value) where key == .string || key == .dyn: return value
            default: throw CELError(.noSuchOverload, "type '\(type)' does not support field selection")
            }
        case let .index(operand, key):
            let container = try check(operand)
            let keyType = try check(key)
            switch container {
            case .dyn: return .dyn
            case let .list(element):
                guard Self.compatible(keyType, .int) || Self.compatible(keyType, .uint) else {
                    throw Self.mismatch("_[_]", [container, keyType])
                }
                return element
            case let .map(mapKey, value):
                guard Self.compatible(keyType, mapKey) || (Self.isNumeric(keyType) && Self.isNumeric(mapKey)) else {
                    throw Self.mismatch("_[_]", [container, keyType])
                }
                return value
            default: throw Self.mismatch("_[_]", [container, keyType])
            }
        case let .has(operand, _):
            let type = try check(operand)
            guard case .dyn = type else {
                if case .map = type { return .bool }
                throw CELError(.noSuchOverload, "has() on type '\(type)'")
            }
            return .bool
        case let .list(elements):
            var element: CELType?
            for item in elements { element = try literalType(element, try check(item), what: "list literal elements") }
            return .list(element ?? .dyn)
        case let .map(entries):
            var keyType: CELType?
            var valueType: CELType?
            for entry in entries {
                keyType = try literalType(keyType, try check(entry.key), what: "map literal keys")
                valueType = try literalType(valueType, try check(entry.value), what: "map literal values")
            }
            return .map(keyType ?? .dyn, valueType ?? .dyn)
        case let .conditional(condition, then, otherwise):
            let c = try check(condition)
            guard Self.compatible(c, .bool) else { throw Self.mismatch("_?_:_", [c]) }
            let a = try check(then)
            let b = try check(otherwise)
            guard Self.compatible(a, b) else { throw Self.mismatch("_?_:_", [c, a, b]) }
            return Self.join(a, b)
        case let .and(left, right), let .or(left, right):
            for operand in [left, right] {
                let t = try check(operand)
                guard Self.compatible(t, .bool) else { throw Self.mismatch("_&&_ / _||_", [t]) }
            }
            return .bool
        case let .call(function, target, arguments):
            return try call(function, target: target, arguments: arguments)
        case let .comprehension(kind, range, variable, predicate, transform):
            let rangeType = try check(range)
            var inner = self
            switch rangeType {
            case let .list(element): inner.locals[variable] = element
            case let .map(key, _): inner.locals[variable] = key
            case .dyn: inner.locals[variable] = .dyn
            default: throw Self.mismatch(kind.rawValue, [rangeType])
            }
            let predicateType = try inner.check(predicate)
            switch kind {
            case .all, .exists, .existsOne, .filter:
                guard Self.compatible(predicateType, .bool) else { throw Self.mismatch(kind.rawValue, [predicateType]) }
                if kind == .filter { return rangeType == .dyn ? .list(.dyn) : .list(inner.locals[variable] ?? .dyn) }
                return .bool
            case .map:
                if let transform {
                    guard Self.compatible(predicateType, .bool) else { throw Self.mismatch("map", [predicateType]) }
                    return .list(try inner.check(transform))
                }
                return .list(predicateType)
            }
        }
    }

    /// The element type of a literal so far, with one more element. notification-controller enables
    /// homogeneous aggregate literals, whose check wants equivalent types (`dyn` and `string` are not);
    /// without it, mixed elements make the literal's element type `dyn`.
    private func literalType(_ known: CELType?, _ next: CELType, what: String) throws(CELError) -> CELType {
        guard let known else { return next }
        if homogeneous, known != next { throw CELError(.noSuchOverload, "\(what) mix \(known) and \(next)") }
        return Self.compatible(known, next) ? Self.join(known, next) : .dyn
    }

    /// `format` as cel-go validates it: its list literal is exempt from homogeneity, and with a literal template
    /// and a literal list the clause count and the argument types must agree.
    private func checkFormat(_ target: CELExpression, _ argument: CELExpression) throws(CELError) -> CELType {
        let templateType = try check(target)
        var exempt = self
        exempt.homogeneous = false
        let argumentType = try exempt.check(argument)
        guard Self.compatible(templateType, .string), Self.compatible(argumentType, .list(.dyn)) else {
            throw Self.mismatch("format", [templateType, argumentType])
        }
        guard case let .literal(.string(template)) = target, case let .list(elements) = argument else { return .string }
        var clauses: [Character] = []
        var scalars = Substring(template).unicodeScalars[...]
        while let c = scalars.popFirst() {
            guard c == "%" else { continue }
            if scalars.first == "%" {
                scalars.removeFirst()
                continue
            }
            if scalars.first == "." {
                scalars.removeFirst()
                while let d = scalars.first, ("0"..."9").contains(d) { scalars.removeFirst() }
            }
            guard let clause = scalars.popFirst(), CELStringFormat.clauses.contains(Character(clause)) else {
                throw CELError(.invalidArgument, "format: could not parse formatting clause in '\(template)'")
            }
            clauses.append(Character(clause))
        }
        guard clauses.count == elements.count else {
            throw CELError(.invalidArgument, "format: \(clauses.count) clause(s) in '\(template)' but \(elements.count) argument(s)")
        }
        let accepted: [Character: Set<CELType>] = [
            "d": [.int, .uint, .double], "f": [.int, .uint, .double], "e": [.int, .uint, .double],
            "b": [.bool, .int, .uint], "x": [.int, .uint, .string, .bytes], "X": [.int, .uint, .string, .bytes], "o": [.int, .uint],
        ]
        for (clause, element) in zip(clauses, elements) {
            let type = try exempt.check(element)
            if type != .dyn, let allowed = accepted[clause], !allowed.contains(type) {
                throw CELError(.invalidArgument, "format: '%\(clause)' does not accept \(type)")
            }
        }
        return .string
    }

    static func type(of value: CELValue) -> CELType {
        switch value {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list(.dyn)
        case .map: .map(.dyn, .dyn)
        case .optional: .optional(.dyn)
        }
    }

    private func call(_ function: String, target: CELExpression?, arguments: [CELExpression]) throws(CELError) -> CELType {
        if case let .identifier(namespace)? = target, locals[namespace] == nil, !variables.contains(namespace) {
            let qualified = "\(namespace).\(function)"
            if CELFunctions.knownUnimplemented.contains(qualified) { throw .unsupported("function '\(qualified)'") }
            if CELFunctions.isImplementedName(qualified) { return try call(qualified, target: nil, arguments: arguments) }
            throw CELError(.undeclaredReference, "undeclared reference to '\(qualified)'")
        }
        guard CELFunctions.isImplemented(function, receiver: target != nil, arity: arguments.count) else {
            if CELFunctions.knownUnimplemented.contains(function) { throw .unsupported("function '\(function)'") }
            if CELFunctions.isImplementedName(function) { throw Self.mismatch(function, []) }
            throw CELError(.undeclaredReference, "undeclared reference to function '\(function)'")
        }
        if function == "format", let target { return try checkFormat(target, arguments[0]) }
        var types: [CELType] = []
        if let target { types.append(try check(target)) }
        for argument in arguments { types.append(try check(argument)) }
        func require(_ expected: [CELType]) throws(CELError) {
            guard types.count == expected.count, zip(types, expected).allSatisfy({ Self.compatible($0, $1) }) else {
                throw Self.mismatch(function, types)
            }
        }
        switch function {
        case "_==_", "_!=_":
            let (a, b) = (types[0], types[1])
            guard Self.compatible(a, b) || (Self.isNumeric(a) && Self.isNumeric(b)) || a == .null || b == .null else {
                throw Self.mismatch(function, types)
            }
            return .bool
        case "_<_", "_<=_", "_>_", "_>=_":
            let (a, b) = (types[0], types[1])
            let orderable: Set<CELType> = [.int, .uint, .double, .string, .bytes, .bool, .dyn]
            guard orderable.contains(a), orderable.contains(b),
                Self.compatible(a, b) || (Self.isNumeric(a) && Self.isNumeric(b))
            else { throw Self.mismatch(function, types) }
            return .bool
        case "_in_":
            switch types[1] {
            case .dyn: return .bool
            case let .list(element):
                guard Self.compatible(types[0], element) || (Self.isNumeric(types[0]) && Self.isNumeric(element)) else {
                    throw Self.mismatch(function, types)
                }
                return .bool
            case let .map(key, _):
                guard Self.compatible(types[0], key) || (Self.isNumeric(types[0]) && Self.isNumeric(key)) else {
                    throw Self.mismatch(function, types)
                }
                return .bool
            default: throw Self.mismatch(function, types)
            }
        case "_+_", "_-_", "_*_", "_/_", "_%_":
            let (a, b) = (types[0], types[1])
            guard Self.compatible(a, b) else { throw Self.mismatch(function, types) }
            let joined = a == .dyn ? b : (b == .dyn ? a : Self.join(a, b))
            let allowed: (CELType) -> Bool = { t in
                switch (function, t) {
                case (_, .dyn), (_, .int), (_, .uint): true
                case ("_%_", _): false
                case (_, .double): true
                case ("_+_", .string), ("_+_", .bytes), ("_+_", .list): true
                default: false
                }
            }
            guard allowed(joined) else { throw Self.mismatch(function, types) }
            return joined
        case "-_":
            guard [.int, .double, .dyn].contains(types[0]) else { throw Self.mismatch(function, types) }
            return types[0]
        case "!_":
            try require([.bool])
            return .bool
        case "size":
            switch types[0] {
            case .string, .bytes, .list, .map, .dyn: return .int
            default: throw Self.mismatch(function, types)
            }
        case "int", "uint", "double", "string", "bytes", "bool":
            let result: CELType = [
                "int": .int, "uint": .uint, "double": .double, "string": .string, "bytes": .bytes, "bool": .bool,
            ][function]!
            let accepted: [String: Set<CELType>] = [
                "int": [.int, .uint, .double, .string, .dyn], "uint": [.int, .uint, .double, .string, .dyn],
                "double": [.int, .uint, .double, .string, .dyn], "string": [.int, .uint, .double, .string, .bytes, .bool, .dyn],
                "bytes": [.bytes, .string, .dyn], "bool": [.bool, .string, .dyn],
            ]
            guard accepted[function]!.contains(types[0]) else { throw Self.mismatch(function, types) }
            return result
        case "dyn": return .dyn
        case "optional.of", "optional.ofNonZeroValue": return .optional(types[0])
        case "optional.none": return .optional(.dyn)
        case "first", "last":
            switch types[0] {
            case .dyn: return .optional(.dyn)
            case let .list(element): return .optional(element)
            default: throw Self.mismatch(function, types)
            }
        case "value", "hasValue", "orValue", "or":
            let wrapped: CELType
            switch types[0] {
            case .dyn: wrapped = .dyn
            case let .optional(value): wrapped = value
            default: throw Self.mismatch(function, types)
            }
            switch function {
            case "value": return wrapped
            case "hasValue": return .bool
            case "orValue":
                guard Self.compatible(wrapped, types[1]) else { throw Self.mismatch(function, types) }
                return Self.join(wrapped, types[1])
            default:
                guard Self.compatible(.optional(wrapped), types[1]) else { throw Self.mismatch(function, types) }
                return types[0] == .dyn ? types[1] : Self.join(types[0], types[1])
            }
        case "join":
            guard Self.compatible(types[0], .list(.string)) else { throw Self.mismatch(function, types) }
            if types.count == 2 { try require([.list(.string), .string]) }
            return .string
        default:
            // The string functions: a string receiver, string arguments first, then int arguments.
            let signatures: [String: (arguments: [CELType], result: CELType)] = [
                "contains": ([.string], .bool), "startsWith": ([.string], .bool), "endsWith": ([.string], .bool),
                "matches": ([.string], .bool), "charAt": ([.int], .string), "lowerAscii": ([], .string),
                "upperAscii": ([], .string), "trim": ([], .string), "reverse": ([], .string),
                "strings.quote": ([], .string),
            ]
            let variable: [String: (arguments: [CELType], result: CELType)] = [
                "indexOf": ([.string, .int], .int), "lastIndexOf": ([.string, .int], .int),
                "replace": ([.string, .string, .int], .string), "split": ([.string, .int], .list(.string)),
                "substring": ([.int, .int], .string),
            ]
            if let signature = signatures[function] {
                try require([.string] + signature.arguments)
                return signature.result
            }
            if let signature = variable[function] {
                try require([.string] + signature.arguments.prefix(types.count - 1))
                return signature.result
            }
            throw Self.mismatch(function, types)
        }
    }
}
