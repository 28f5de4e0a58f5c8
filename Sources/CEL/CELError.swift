/// An error of parsing or evaluating a CEL expression: a value, never a crash.
public struct CELError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; callers branch on it (for example to tell "unsupported" from a CEL error).
    public enum Kind: Sendable, Hashable {
        /// The expression is not valid CEL syntax.
        case syntax
        /// Valid CEL that this evaluator does not implement; the message names the feature.
        case unsupported
        /// A map has no such key (or an object no such field).
        case noSuchKey
        /// No overload of an operator or function accepts these argument types.
        case noSuchOverload
        /// Integer division or modulus by zero.
        case divisionByZero
        /// Integer arithmetic or a conversion left the range of the result type.
        case overflow
        /// A list index or string position is out of range.
        case indexOutOfRange
        /// An identifier that no binding declares.
        case undeclaredReference
        /// An argument has the right type but an invalid value (bad regular expression, unparsable number…).
        case invalidArgument
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// One line saying what failed and why.
    public var message: String

    /// Creates an error of a kind with a one-line message.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message, prefixed by the kind where the message alone would not say it.
    public var description: String {
        switch kind {
        case .unsupported: "unsupported by fluxstamp's CEL evaluator: \(message)"
        case .syntax: "CEL syntax error: \(message)"
        default: message
        }
    }

    static func unsupported(_ feature: String) -> CELError { CELError(.unsupported, feature) }

    static func noOverload(_ function: String, _ args: [CELValue]) -> CELError {
        CELError(.noSuchOverload, "no matching overload for '\(function)' applied to (\(args.map(\.typeName).joined(separator: ", ")))")
    }
}
