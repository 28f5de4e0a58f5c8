/// CEL's operators and the functions this evaluator implements, with CEL's overload and error rules.
enum CELFunctions {
    /// Global functions and operators by name, with the argument counts implemented.
    private static let global: [String: Set<Int>] = [
        "_==_": [2], "_!=_": [2], "_<_": [2], "_<=_": [2], "_>_": [2], "_>=_": [2], "_in_": [2],
        "_+_": [2], "_-_": [2], "_*_": [2], "_/_": [2], "_%_": [2], "-_": [1], "!_": [1],
        "size": [1], "int": [1], "uint": [1], "double": [1], "string": [1], "bytes": [1], "bool": [1], "dyn": [1],
        "matches": [2], "strings.quote": [1],
        "optional.of": [1], "optional.ofNonZeroValue": [1], "optional.none": [0],
    ]

    /// Receiver-style functions (`x.f(…)`) by name, with the argument counts implemented.
    private static let member: [String: Set<Int>] = [
        "size": [0], "contains": [1], "startsWith": [1], "endsWith": [1], "matches": [1],
        "charAt": [1], "indexOf": [1, 2], "lastIndexOf": [1, 2], "lowerAscii": [0], "upperAscii": [0],
        "replace": [2, 3], "split": [1, 2], "substring": [1, 2], "trim": [0], "join": [0, 1], "reverse": [0],
        "format": [1],
        "first": [0], "last": [0], "value": [0], "hasValue": [0], "orValue": [1], "or": [1],
    ]

    /// Functions of CEL's standard library and of the extensions notification-controller enables
    /// (strings, sets, encoders, optional types) that this evaluator does not implement.
    static let knownUnimplemented: Set<String> = [
        "type", "timestamp", "duration", "getFullYear", "getMonth", "getDayOfYear", "getDayOfMonth", "getDate",
        "getDayOfWeek", "getHours", "getMinutes", "getSeconds", "getMilliseconds", "quote",
        "sets.contains", "sets.equivalent", "sets.intersects", "base64.encode", "base64.decode",
        "optional.unwrap", "unwrapOpt", "optMap", "optFlatMap", "cel.bind", "cel.block",
        "math.greatest", "math.least", "lists.range", "sort", "sortBy", "distinct", "flatten", "slice",
        "transformList", "transformMap", "transformMapEntry", "all", "exists", "exists_one", "map", "filter",
    ]

    static func isImplemented(_ name: String, receiver: Bool, arity: Int) -> Bool {
        (receiver ? member[name] : global[name])?.contains(arity) == true
    }

    /// Whether the name is implemented in some other form (wrong arity or call style: a CEL overload error).
    static func isImplementedName(_ name: String) -> Bool { global[name] != nil || member[name] != nil }

    static func apply(_ name: String, receiver: Bool, _ args: [CELValue]) throws(CELError) -> CELValue {
        if receiver { return try applyMember(name, args) }
        switch name {
        case "_==_": return .bool(args[0].celEquals(args[1]))
        case "_!=_": return .bool(!args[0].celEquals(args[1]))
        case "_<_": return .bool(try order(name, args) < 0)
        case "_<=_": return .bool(try order(name, args) <= 0)
        case "_>_": return .bool(try order(name, args) > 0)
        case "_>=_": return .bool(try order(name, args) >= 0)
        case "_in_": return try contains(args[1], args[0])
        case "_+_": return try CELArithmetic.add(args[0], args[1])
        case "_-_": return try CELArithmetic.subtract(args[0], args[1])
        case "_*_": return try CELArithmetic.multiply(args[0], args[1])
        case "_/_": return try CELArithmetic.divide(args[0], args[1])
        case "_%_": return try CELArithmetic.remainder(args[0], args[1])
        case "-_": return try CELArithmetic.negate(args[0])
        case "!_":
            guard case let .bool(b) = args[0] else { throw .noOverload("!_", args) }
            return .bool(!b)
        case "size": return try size(args[0])
        case "dyn": return args[0]
        case "matches": return try applyMember("matches", args)
        case "strings.quote":
            guard case let .string(s) = args[0] else { throw .noOverload(name, args) }
            return .string(CELStrings.quote(s))
        case "optional.of": return .optional(args[0])
        case "optional.ofNonZeroValue": return .optional(args[0].isZeroValue ? CELValue?.none : args[0])
        case "optional.none": return .optional(CELValue?.none)
        default: return try CELConversions.convert(name, args[0])
        }
    }

    private static func order(_ function: String, _ args: [CELValue]) throws(CELError) -> Int {
        let (a, b) = (args[0], args[1])
        if let order = CELValue.numericOrder(a, b) { return order }
        switch (a, b) {
        case (.double, .int), (.double, .uint), (.double, .double), (.int, .double), (.uint, .double):
            throw CELError(.invalidArgument, "NaN values cannot be ordered")
        case let (.bool(x), .bool(y)): return x == y ? 0 : (x ? 1 : -1)
        case let (.string(x), .string(y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : (CELValue.string(x) == .string(y) ? 0 : 1)
        case let (.bytes(x), .bytes(y)): return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
        default: throw .noOverload(function, args)
        }
    }

    private static func contains(_ container: CELValue, _ element: CELValue) throws(CELError) -> CELValue {
        switch container {
        case let .list(list): return .bool(list.contains { $0.celEquals(element) })
        case let .map(map): return .bool(CELValue.lookup(map, key: element) != nil)
        default: throw .noOverload("@in", [element, container])
        }
    }

    private static func size(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case let .string(s): return .int(Int64(s.unicodeScalars.count))
        case let .bytes(b): return .int(Int64(b.count))
        case let .list(l): return .int(Int64(l.count))
        case let .map(m): return .int(Int64(m.count))
        default: throw .noOverload("size", [value])
        }
    }

    private static func applyMember(_ name: String, _ args: [CELValue]) throws(CELError) -> CELValue {
        if name == "size" { return try size(args[0]) }
        if let optional = try applyOptional(name, args) { return optional }
        if name == "join" {
            guard case let .list(list) = args[0] else { throw .noOverload(name, args) }
            var separator = ""
            if args.count == 2 {
                guard case let .string(s) = args[1] else { throw .noOverload(name, args) }
                separator = s
            }
            var parts: [String] = []
            for element in list {
                guard case let .string(s) = element else {
                    throw CELError(.invalidArgument, "join: list element of type \(element.typeName) is not a string")
                }
                parts.append(s)
            }
            return .string(parts.joined(separator: separator))
        }
        if name == "format" {
            guard case let .string(template) = args[0], case let .list(arguments) = args[1] else { throw .noOverload(name, args) }
            return .string(try CELStringFormat.format(template, arguments))
        }
        guard case let .string(text) = args[0] else { throw .noOverload(name, args) }
        var strings: [String] = []
        var ints: [Int64] = []
        for arg in args.dropFirst() {
            switch arg {
            case let .string(s): strings.append(s)
            case let .int(i): ints.append(i)
            default: throw .noOverload(name, args)
            }
        }
        // Each function takes its string arguments first, then its int arguments.
        let shape = (strings.count, ints.count)
        let scalars = Array(text.unicodeScalars)
        switch (name, shape) {
        case ("contains", (1, 0)): return .bool(CELStrings.index(of: Array(strings[0].unicodeScalars), in: scalars, from: 0) != nil)
        case ("startsWith", (1, 0)): return .bool(scalars.starts(with: strings[0].unicodeScalars))
        case ("endsWith", (1, 0)): return .bool(scalars.reversed().starts(with: strings[0].unicodeScalars.reversed()))
        case ("matches", (1, 0)): return .bool(try CELRegex.matches(text, pattern: strings[0]))
        case ("charAt", (0, 1)): return .string(try CELStrings.charAt(scalars, ints[0]))
        case ("indexOf", (1, _)) where ints.count <= 1 && args[1].isString:
            return .int(try CELStrings.indexOf(scalars, Array(strings[0].unicodeScalars), from: ints.first))
        case ("lastIndexOf", (1, _)) where ints.count <= 1 && args[1].isString:
            return .int(try CELStrings.lastIndexOf(scalars, Array(strings[0].unicodeScalars), from: ints.first))
        case ("lowerAscii", (0, 0)): return .string(CELStrings.mapASCII(text, upper: false))
        case ("upperAscii", (0, 0)): return .string(CELStrings.mapASCII(text, upper: true))
        case ("replace", (2, _)) where ints.count <= 1 && args[1].isString && args[2].isString:
            return .string(CELStrings.replace(scalars, Array(strings[0].unicodeScalars), with: strings[1], limit: ints.first ?? -1))
        case ("split", (1, _)) where ints.count <= 1 && args[1].isString:
            return .list(CELStrings.split(scalars, Array(strings[0].unicodeScalars), limit: ints.first ?? -1).map { .string($0) })
        case ("substring", (0, _)) where ints.count >= 1:
            return .string(try CELStrings.substring(scalars, from: ints[0], to: ints.count > 1 ? ints[1] : nil))
        case ("trim", (0, 0)): return .string(CELStrings.trim(scalars))
        case ("reverse", (0, 0)):
            var reversed = ""
            reversed.unicodeScalars.append(contentsOf: scalars.reversed())
            return .string(reversed)
        default: throw .noOverload(name, args)
        }
    }
}

extension CELFunctions {
    /// The optional types library (`cel.OptionalTypes()`, which notification-controller enables): `first()` and
    /// `last()` on lists, and `value()`, `hasValue()`, `orValue()`, `or()` on optionals. nil for other functions.
    static func applyOptional(_ name: String, _ args: [CELValue]) throws(CELError) -> CELValue? {
        switch name {
        case "first", "last":
            guard case let .list(list) = args[0] else { throw .noOverload(name, args) }
            return .optional(name == "first" ? list.first : list.last)
        case "value", "hasValue", "orValue", "or":
            guard case let .optional(wrapped) = args[0] else { throw .noOverload(name, args) }
            switch name {
            case "value":
                guard let wrapped else { throw CELError(.invalidArgument, "optional.none() dereference") }
                return wrapped
            case "hasValue": return .bool(wrapped != nil)
            case "orValue": return wrapped ?? args[1]
            default:
                guard case .optional = args[1] else { throw .noOverload(name, args) }
                return wrapped == nil ? args[1] : args[0]
            }
        default: return nil
        }
    }
}

extension CELValue {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
