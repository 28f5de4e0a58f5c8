/// Which parts of a bound value are unknown: a tree of map keys (list positions as decimal strings).
struct CELUnknownMask: Sendable {
    /// The full path of this node, starting with the variable name.
    var path: [String]
    /// The whole value at this path is unknown.
    var isUnknown = false
    var children: [String: CELUnknownMask] = [:]

    init(path: [String]) { self.path = path }

    mutating func mark(_ relative: ArraySlice<String>) {
        guard let first = relative.first else {
            isUnknown = true
            return
        }
        children[first, default: CELUnknownMask(path: path + [first])].mark(relative.dropFirst())
    }

    /// Every unknown path at or below this node.
    var unknownPaths: Set<[String]> {
        if isUnknown { return [path] }
        return children.values.reduce(into: []) { $0.formUnion($1.unknownPaths) }
    }
}

/// The outcome of evaluating a sub-expression: a value (perhaps with unknown parts), an error, or unknown.
enum CELOutcome: Sendable {
    case value(CELValue, CELUnknownMask?)
    case error(CELError)
    case unknown(Set<[String]>)

    static func known(_ value: CELValue) -> CELOutcome { .value(value, nil) }

    /// The value when it is entirely known; otherwise the outcome to pass on (errors, or the unknown parts).
    var settled: Result<CELValue, CELStop> {
        switch self {
        case let .value(value, mask):
            if let unknowns = mask?.unknownPaths, !unknowns.isEmpty { return .failure(CELStop(outcome: .unknown(unknowns))) }
            return .success(value)
        case .error, .unknown: return .failure(CELStop(outcome: self))
        }
    }
}

/// Carries a non-value outcome out of a strict evaluation.
struct CELStop: Error {
    var outcome: CELOutcome
}

/// A tree-walking evaluator over bound variables.
struct CELEvaluator {
    var bindings: [String: (value: CELValue, mask: CELUnknownMask?)]
    private var locals: [String: (value: CELValue, mask: CELUnknownMask?)] = [:]

    init(bindings: [String: (value: CELValue, mask: CELUnknownMask?)]) { self.bindings = bindings }

    func evaluate(_ expression: CELExpression) -> CELOutcome {
        switch expression {
        case let .literal(value):
            return .known(value)
        case let .identifier(name):
            guard let bound = locals[name] ?? bindings[name] else {
                if CELChecker.typeDenotations.contains(name) { return .error(.unsupported("type value '\(name)'")) }
                return .error(CELError(.undeclaredReference, "undeclared reference to '\(name)'"))
            }
            if let mask = bound.mask, mask.isUnknown { return .unknown([mask.path]) }
            return .value(bound.value, bound.mask)
        case let .select(operand, field):
            if let qualified = resolveQualified(expression) { return qualified }
            return select(evaluate(operand), key: .string(field), isField: true)
        case let .index(operand, key):
            let container = evaluate(operand)
            switch evaluate(key).settled {
            case let .failure(stop):
                if case .error = container { return container }
                return stop.outcome
            case let .success(key): return select(container, key: key, isField: false)
            }
        case let .has(operand, field):
            return has(evaluate(operand), field: field)
        case let .list(elements):
            return strict(elements.map(evaluate)) { .list($0) }
        case let .map(entries):
            return mapLiteral(entries)
        case let .conditional(condition, then, otherwise):
            switch evaluate(condition).settled {
            case let .failure(stop): return stop.outcome
            case .success(.bool(true)): return evaluate(then)
            case .success(.bool(false)): return evaluate(otherwise)
            case let .success(other): return .error(.noOverload("_?_:_", [other]))
            }
        case let .and(left, right):
            return logical(left, right, absorbing: false)
        case let .or(left, right):
            return logical(left, right, absorbing: true)
        case let .call(function, target, arguments):
            return call(function, target: target, arguments: arguments)
        case let .comprehension(kind, range, variable, predicate, transform):
            return comprehension(kind, range: evaluate(range), variable: variable, predicate: predicate, transform: transform)
        }
    }

    /// `a.b.c` may name a variable called `a.b.c` or `a.b` (CEL resolves the longest bound prefix) unless `a` is local.
    private func resolveQualified(_ expression: CELExpression) -> CELOutcome? {
        var fields: [String] = []
        var cursor = expression
        while case let .select(operand, field) = cursor {
            fields.insert(field, at: 0)
            cursor = operand
        }
        guard case let .identifier(root) = cursor, locals[root] == nil else { return nil }
        for length in stride(from: fields.count, through: 1, by: -1) {
            let name = ([root] + fields.prefix(length)).joined(separator: ".")
            guard let bound = bindings[name] else { continue }
            if let mask = bound.mask, mask.isUnknown { return .unknown([mask.path]) }
            var outcome = CELOutcome.value(bound.value, bound.mask)
            for field in fields.dropFirst(length) { outcome = select(outcome, key: .string(field), isField: true) }
            return outcome
        }
        return nil
    }

    /// Applies a strict operation: the first error wins, then unknown arguments make the result unknown (all
    /// unknowns merged). An error never depends on an unknown (unknown operands give unknown results, and
    /// `&&`/`||` only drop an unknown for a deciding value), so an error here is what CEL would report for
    /// every value the unknowns could take.
    private func strict(_ outcomes: [CELOutcome], _ body: ([CELValue]) throws(CELError) -> CELValue) -> CELOutcome {
        var values: [CELValue] = []
        var unknowns: Set<[String]> = []
        var firstError: CELError?
        for outcome in outcomes {
            switch outcome.settled {
            case let .success(value): values.append(value)
            case let .failure(stop):
                switch stop.outcome {
                case let .unknown(paths): unknowns.formUnion(paths)
                case let .error(error): if firstError == nil { firstError = error }
                case .value: break
                }
            }
        }
        if let firstError { return .error(firstError) }
        if !unknowns.isEmpty { return .unknown(unknowns) }
        do {
            return .known(try body(values))
        } catch {
            return .error(error)
        }
    }

    /// `&&` and `||`: a deciding value (false for `&&`, true for `||`) on either side wins over errors and
    /// unknowns on the other; then unknowns win over errors, as in CEL.
    private func logical(_ left: CELExpression, _ right: CELExpression, absorbing: Bool) -> CELOutcome {
        let lhs = evaluate(left)
        if case .success(.bool(absorbing)) = lhs.settled { return .known(.bool(absorbing)) }
        return Self.combine(lhs, evaluate(right), absorbing: absorbing)
    }

    /// Field selection and indexing share this: a map key lookup (with unknown tracking) or a list position.
    private func select(_ container: CELOutcome, key: CELValue, isField: Bool) -> CELOutcome {
        let function = isField ? "." : "_[_]"
        guard case let .value(value, mask) = container else { return container }
        let segment: String? =
            switch key {
            case let .string(s): s
            case let .int(i): String(i)
            case let .uint(u): String(u)
            default: nil
            }
        let childMask = segment.flatMap { mask?.children[$0] }
        if let childMask, childMask.isUnknown { return .unknown([childMask.path]) }
        switch value {
        case let .map(map):
            guard let found = CELValue.lookup(map, key: key) else {
                return .error(CELError(.noSuchKey, "no such key: \(CELFormat.quoted(key))"))
            }
            return .value(found, childMask)
        case let .list(list):
            if isField { return .error(.noOverload(function, [value])) }
            let position: Int64
            switch key {
            case let .int(i): position = i
            case let .uint(u): position = u > UInt64(Int64.max) ? Int64.max : Int64(u)
            case let .double(d) where d.isFinite && d == d.rounded(.towardZero) && abs(d) < 9.0e18: position = Int64(d)
            default: return .error(.noOverload(function, [value, key]))
            }
            guard position >= 0, position < list.count else {
                return .error(CELError(.indexOutOfRange, "index out of range: \(position) (list size \(list.count))"))
            }
            let elementMask = mask?.children[String(position)]
            if let elementMask, elementMask.isUnknown { return .unknown([elementMask.path]) }
            return .value(list[Int(position)], elementMask)
        default:
            return .error(.noOverload(function, [value, key]))
        }
    }

    private func has(_ operand: CELOutcome, field: String) -> CELOutcome {
        guard case let .value(value, mask) = operand else { return operand }
        if let child = mask?.children[field], child.isUnknown { return .unknown([child.path]) }
        guard case let .map(map) = value else { return .error(.noOverload("has", [value])) }
        return .known(.bool(map[.string(field)] != nil))
    }

    private func mapLiteral(_ entries: [(key: CELExpression, value: CELExpression)]) -> CELOutcome {
        let outcomes = entries.flatMap { [evaluate($0.key), evaluate($0.value)] }
        return strict(outcomes) { (values) throws(CELError) -> CELValue in
            var map: [CELMapKey: CELValue] = [:]
            for pair in stride(from: 0, to: values.count, by: 2) {
                guard let key = CELMapKey(values[pair]) else {
                    throw CELError(.invalidArgument, "unsupported map key type: \(values[pair].typeName)")
                }
                guard CELValue.lookup(map, key: values[pair]) == nil else {
                    throw CELError(.invalidArgument, "repeated map key: \(CELFormat.quoted(values[pair]))")
                }
                map[key] = values[pair + 1]
            }
            return .map(map)
        }
    }

    private func call(_ function: String, target: CELExpression?, arguments: [CELExpression]) -> CELOutcome {
        // A namespaced function such as strings.quote parses as a call on an identifier that is not a variable.
        if case let .identifier(namespace)? = target, locals[namespace] == nil, bindings[namespace] == nil {
            let qualified = "\(namespace).\(function)"
            if CELFunctions.knownUnimplemented.contains(qualified) { return .error(.unsupported("function '\(qualified)'")) }
            if CELFunctions.isImplementedName(qualified) { return call(qualified, target: nil, arguments: arguments) }
        }
        guard CELFunctions.isImplemented(function, receiver: target != nil, arity: arguments.count) else {
            if CELFunctions.knownUnimplemented.contains(function) {
                return .error(.unsupported("function '\(function)' with \(arguments.count) argument(s)"))
            }
            if CELFunctions.isImplementedName(function) {
                return .error(CELError(.noSuchOverload, "no matching overload for '\(function)' with \(arguments.count) argument(s)"))
            }
            return .error(CELError(.undeclaredReference, "undeclared reference to function '\(function)'"))
        }
        if let target, function == "or" || function == "orValue" {
            // cel-go short-circuits both: an optional with a value never evaluates the alternative.
            let receiver = evaluate(target)
            if case let .success(.optional(wrapped?)) = receiver.settled { return .known(function == "or" ? .optional(wrapped) : wrapped) }
            return strict([receiver] + arguments.map(evaluate)) { (values) throws(CELError) -> CELValue in
                try CELFunctions.apply(function, receiver: true, values)
            }
        }
        var outcomes: [CELOutcome] = []
        if let target { outcomes.append(evaluate(target)) }
        outcomes.append(contentsOf: arguments.map(evaluate))
        return strict(outcomes) { (values) throws(CELError) -> CELValue in
            try CELFunctions.apply(function, receiver: target != nil, values)
        }
    }

    private func comprehension(
        _ kind: CELComprehension, range: CELOutcome, variable: String, predicate: CELExpression, transform: CELExpression?
    ) -> CELOutcome {
        guard case let .value(rangeValue, mask) = range else { return range }
        var items: [(value: CELValue, mask: CELUnknownMask?)] = []
        switch rangeValue {
        case let .list(list):
            items = list.enumerated().map { ($0.element, mask?.children[String($0.offset)]) }
        case let .map(map):
            // Keys are known even where values are unknown; a deterministic order keeps map() results stable.
            items = map.keys.map { ($0.value, nil) }.sorted { CELFormat.sortKey($0.value) < CELFormat.sortKey($1.value) }
        default:
            return .error(.noOverload(kind.rawValue, [rangeValue]))
        }
        var inner = self
        var results: [CELValue] = []
        var count = 0
        var accumulated: CELOutcome = .known(.bool(kind == .all))
        for item in items {
            if let itemMask = item.mask, itemMask.isUnknown {
                inner.locals[variable] = nil
                if kind == .all || kind == .exists {
                    accumulated = Self.combine(accumulated, .unknown([itemMask.path]), absorbing: kind == .exists)
                    continue
                }
                return .unknown([itemMask.path])
            }
            inner.locals[variable] = item
            let outcome = inner.evaluate(predicate)
            switch kind {
            case .all, .exists:
                accumulated = Self.combine(accumulated, outcome, absorbing: kind == .exists)
                if case .value(.bool(kind == .exists), _) = accumulated { return accumulated }
            case .existsOne, .filter, .map:
                switch outcome.settled {
                case let .failure(stop): return stop.outcome
                case let .success(value):
                    if kind == .map && transform == nil {
                        results.append(value)
                        continue
                    }
                    guard case let .bool(accepted) = value else { return .error(.noOverload(kind.rawValue, [value])) }
                    guard accepted else { continue }
                    count += 1
                    if kind == .filter { results.append(item.value) }
                    if kind == .map, let transform {
                        switch inner.evaluate(transform).settled {
                        case let .failure(stop): return stop.outcome
                        case let .success(mapped): results.append(mapped)
                        }
                    }
                }
            }
        }
        switch kind {
        case .all, .exists: return accumulated
        case .existsOne: return .known(.bool(count == 1))
        case .map, .filter: return .known(.list(results))
        }
    }

    /// Folds one more `&&` (absorbing false) or `||` (absorbing true) operand into an accumulator.
    private static func combine(_ accumulated: CELOutcome, _ next: CELOutcome, absorbing: Bool) -> CELOutcome {
        let function = absorbing ? "_||_" : "_&&_"
        let lhs = accumulated.settled
        let rhs = next.settled
        if case .success(.bool(absorbing)) = lhs { return accumulated }
        if case .success(.bool(absorbing)) = rhs { return .known(.bool(absorbing)) }
        var unknowns: Set<[String]> = []
        for side in [lhs, rhs] {
            if case let .failure(stop) = side, case let .unknown(paths) = stop.outcome { unknowns.formUnion(paths) }
        }
        if !unknowns.isEmpty { return .unknown(unknowns) }
        for side in [lhs, rhs] {
            if case let .failure(stop) = side { return stop.outcome }
        }
        guard case let .success(a) = lhs, case let .success(b) = rhs else { return .error(CELError(.noSuchOverload, function)) }
        if case .bool = a, case .bool = b { return .known(.bool(!absorbing)) }
        return .error(.noOverload(function, [a, b]))
    }
}
