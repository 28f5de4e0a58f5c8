/// A variable's value for an evaluation, with the parts of it that are not known.
///
/// fluxstamp reconstructs past notification-controller events; fields it cannot know (an event's `message`,
/// `timestamp`, …) are marked unknown, and any result that depends on them is `.unknown`, never a guess.
public struct CELBinding: Sendable {
    /// The value; fields under unknown paths may hold anything (or be absent), they are never read.
    public var value: CELValue
    /// Paths below the variable whose values are unknown, as map keys from the variable down
    /// (`["message"]`, `["metadata", "summary"]`); an empty path marks the whole variable unknown.
    public var unknownPaths: [[String]]

    /// A fully known value.
    public init(_ value: CELValue) {
        self.value = value
        unknownPaths = []
    }

    /// A value with unknown parts.
    public init(_ value: CELValue, unknownPaths: [[String]]) {
        self.value = value
        self.unknownPaths = unknownPaths
    }
}

/// The result of evaluating a CEL program.
public enum CELResult: Sendable, Equatable {
    /// The expression's value.
    case value(CELValue)
    /// CEL's own evaluation errors (no such key, no matching overload, division by zero, overflow, …) and
    /// `.unsupported` for valid CEL this evaluator does not implement.
    case error(CELError)
    /// The value depends on unknown fields, named as paths from the variable (`event.message`).
    case unknown([String])
}

/// A parsed CEL expression, ready to evaluate against variable bindings.
public struct CELProgram: Sendable {
    /// The source text, as given.
    public let source: String
    let expression: CELExpression

    /// Parses CEL source; throws `.syntax` for invalid CEL and `.unsupported` for syntax this evaluator lacks
    /// (message construction, optional syntax).
    public init(parsing source: String) throws(CELError) {
        self.source = source
        var parser = try CELParser(source)
        expression = try parser.parseExpression()
    }

    /// Evaluates the expression with these variables.
    public func evaluate(_ bindings: [String: CELBinding]) -> CELResult {
        var prepared: [String: (value: CELValue, mask: CELUnknownMask?)] = [:]
        for (name, binding) in bindings {
            var mask: CELUnknownMask?
            for path in binding.unknownPaths {
                if mask == nil { mask = CELUnknownMask(path: [name]) }
                mask?.mark(path[...])
            }
            prepared[name] = (binding.value, mask)
        }
        let outcome = CELEvaluator(bindings: prepared).evaluate(expression)
        switch outcome.settled {
        case let .success(value): return .value(value)
        case let .failure(stop):
            switch stop.outcome {
            case let .error(error): return .error(error)
            case let .unknown(paths): return .unknown(paths.map(CELProgram.render).sorted())
            case let .value(value, _): return .value(value)
            }
        }
    }

    /// Evaluates the expression with fully known variables.
    public func evaluate(_ variables: [String: CELValue]) -> CELResult {
        evaluate(variables.mapValues { CELBinding($0) })
    }

    /// A path as CEL would select it: `event.message`, or `event.metadata['kustomize.toolkit.fluxcd.io/revision']`.
    static func render(_ path: [String]) -> String {
        guard var text = path.first else { return "" }
        for segment in path.dropFirst() {
            let simple =
                segment.first.map { $0.isLetter || $0 == "_" } == true
                && segment.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" }
            text += simple ? ".\(segment)" : "['\(segment)']"
        }
        return text
    }
}
