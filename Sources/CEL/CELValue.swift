/// A CEL value: the JSON-like subset of CEL's types that `commitStatusExpr` works with.
///
/// Timestamps, durations, type values and protobuf messages are not modelled; an expression that produces
/// one evaluates to an "unsupported" error instead. Optionals are (notification-controller enables CEL's
/// optional types, and Flux's own `commitStatusExpr` example calls `first().value()`).
public enum CELValue: Sendable, Hashable {
    /// CEL `null`.
    case null
    /// CEL `bool`.
    case bool(Bool)
    /// CEL `int` (64-bit signed).
    case int(Int64)
    /// CEL `uint` (64-bit unsigned).
    case uint(UInt64)
    /// CEL `double`.
    case double(Double)
    /// CEL `string` (a sequence of Unicode code points).
    case string(String)
    /// CEL `bytes`.
    case bytes([UInt8])
    /// CEL `list`.
    case list([CELValue])
    /// CEL `map`; keys are `bool`, `int`, `uint` or `string`.
    case map([CELMapKey: CELValue])
    /// CEL `optional_type`: `optional.of(x)` is `.optional(x)`, `optional.none()` is `.optional(nil)`.
    indirect case optional(CELValue?)

    /// The CEL type name of this value, as CEL's `type()` would print it (`int`, `string`, `map`, …).
    public var typeName: String {
        switch self {
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .list: "list"
        case .map: "map"
        case .optional: "optional_type"
        }
    }

    /// Structural identity (Swift's `==`), not CEL's `==`: `.int(1) != .double(1)` here, and NaN equals NaN,
    /// so values can key dictionaries. CEL's equality is `celEquals(_:)`.
    public static func == (lhs: CELValue, rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.uint(a), .uint(b)): a == b
        case let (.double(a), .double(b)): a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.bytes(a), .bytes(b)): a == b
        case let (.list(a), .list(b)): a == b
        case let (.map(a), .map(b)): a == b
        case let (.optional(a), .optional(b)): a == b
        default: false
        }
    }

    /// Hashes consistently with `==` (NaNs hash alike; strings by code points, not by Swift's canonical equivalence).
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case let .bool(b): hasher.combine(1); hasher.combine(b)
        case let .int(i): hasher.combine(2); hasher.combine(i)
        case let .uint(u): hasher.combine(3); hasher.combine(u)
        case let .double(d): hasher.combine(4); hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case let .string(s): hasher.combine(5); for scalar in s.unicodeScalars { hasher.combine(scalar.value) }
        case let .bytes(b): hasher.combine(6); hasher.combine(b)
        case let .list(l): hasher.combine(7); hasher.combine(l)
        case let .map(m): hasher.combine(8); hasher.combine(m)
        case let .optional(o): hasher.combine(9); hasher.combine(o)
        }
    }
}

/// A key of a CEL map: CEL allows `bool`, `int`, `uint` and `string` keys.
public enum CELMapKey: Sendable, Hashable {
    /// A `bool` key.
    case bool(Bool)
    /// An `int` key.
    case int(Int64)
    /// A `uint` key.
    case uint(UInt64)
    /// A `string` key.
    case string(String)

    /// The key as a value.
    public var value: CELValue {
        switch self {
        case let .bool(b): .bool(b)
        case let .int(i): .int(i)
        case let .uint(u): .uint(u)
        case let .string(s): .string(s)
        }
    }

    /// The key for a value, or nil when CEL does not allow the value as a map key.
    public init?(_ value: CELValue) {
        switch value {
        case let .bool(b): self = .bool(b)
        case let .int(i): self = .int(i)
        case let .uint(u): self = .uint(u)
        case let .string(s): self = .string(s)
        default: return nil
        }
    }

    /// Code-point identity for string keys: CEL compares strings by code points, Swift by canonical equivalence.
    public static func == (lhs: CELMapKey, rhs: CELMapKey) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.uint(a), .uint(b)): a == b
        case let (.string(a), .string(b)): a.unicodeScalars.elementsEqual(b.unicodeScalars)
        default: false
        }
    }

    /// Hashes consistently with `==`.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case let .bool(b): hasher.combine(0); hasher.combine(b)
        case let .int(i): hasher.combine(1); hasher.combine(i)
        case let .uint(u): hasher.combine(2); hasher.combine(u)
        case let .string(s): hasher.combine(3); for scalar in s.unicodeScalars { hasher.combine(scalar.value) }
        }
    }
}

extension CELValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// A `string` value.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An `int` value.
    public init(integerLiteral value: Int64) { self = .int(value) }
    /// A `bool` value.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A `double` value.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// CEL `null`.
    public init(nilLiteral: ()) { self = .null }
    /// A `list` value.
    public init(arrayLiteral elements: CELValue...) { self = .list(elements) }
    /// A `map` value with string keys (the shape of JSON objects and Kubernetes objects).
    public init(dictionaryLiteral elements: (String, CELValue)...) {
        var map: [CELMapKey: CELValue] = [:]
        for (key, value) in elements { map[.string(key)] = value }
        self = .map(map)
    }
}

extension CELValue {
    /// CEL's `==`: numbers compare across `int`, `uint` and `double` by numeric value, NaN equals nothing,
    /// lists and maps compare element-wise, and values of different types are unequal (never an error).
    public func celEquals(_ other: CELValue) -> Bool {
        if let order = CELValue.numericOrder(self, other) { return order == 0 }
        switch (self, other) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.string(a), .string(b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.bytes(a), .bytes(b)): return a == b
        case let (.list(a), .list(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.celEquals($1) }
        case let (.map(a), .map(b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let match = CELValue.lookup(b, key: key.value), match.celEquals(value) else { return false }
            }
            return true
        case let (.optional(a), .optional(b)):
            // cel-go: two empty optionals are equal; two with values compare their values.
            guard let a, let b else { return a == nil && b == nil }
            return a.celEquals(b)
        default: return false
        }
    }

    /// Whether this is its type's zero value (`optional.ofNonZeroValue`): null, false, 0, "", b"", [] and {}.
    var isZeroValue: Bool {
        switch self {
        case .null: true
        case let .bool(b): !b
        case let .int(i): i == 0
        case let .uint(u): u == 0
        case let .double(d): d == 0
        case let .string(s): s.isEmpty
        case let .bytes(b): b.isEmpty
        case let .list(l): l.isEmpty
        case let .map(m): m.isEmpty
        case .optional: false
        }
    }

    /// Compares two numbers of any numeric types: -1, 0 or 1; nil when either is not a number or is NaN.
    static func numericOrder(_ lhs: CELValue, _ rhs: CELValue) -> Int? {
        switch (lhs, rhs) {
        case let (.int(a), .int(b)): return a < b ? -1 : (a == b ? 0 : 1)
        case let (.uint(a), .uint(b)): return a < b ? -1 : (a == b ? 0 : 1)
        case let (.double(a), .double(b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case let (.int(a), .uint(b)): return a < 0 ? -1 : compare(UInt64(a), b)
        case let (.uint(a), .int(b)): return b < 0 ? 1 : compare(a, UInt64(b))
        case let (.int(a), .double(b)): return compareIntDouble(a, b)
        case let (.double(a), .int(b)): return compareIntDouble(b, a).map { -$0 }
        case let (.uint(a), .double(b)): return compareUIntDouble(a, b)
        case let (.double(a), .uint(b)): return compareUIntDouble(b, a).map { -$0 }
        default: return nil
        }
    }

    private static func compare(_ a: UInt64, _ b: UInt64) -> Int { a < b ? -1 : (a == b ? 0 : 1) }

    /// Compares an integer with a double as cel-go does: outside the integer's range the double decides,
    /// inside it the integer is converted to a double (so 2^63-1 equals 2^63.0, as in cel-go and cel-spec).
    private static func compareIntDouble(_ a: Int64, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        if b < -9_223_372_036_854_775_808.0 { return 1 }
        if b > 9_223_372_036_854_775_808.0 { return -1 }
        let x = Double(a)
        return x < b ? -1 : (x == b ? 0 : 1)
    }

    private static func compareUIntDouble(_ a: UInt64, _ b: Double) -> Int? {
        if b.isNaN { return nil }
        if b < 0 { return 1 }
        if b > 18_446_744_073_709_551_616.0 { return -1 }
        let x = Double(a)
        return x < b ? -1 : (x == b ? 0 : 1)
    }

    /// Looks a key up in a map the way CEL does: numeric keys match across `int`, `uint` and an integral `double`.
    static func lookup(_ map: [CELMapKey: CELValue], key: CELValue) -> CELValue? {
        switch key {
        case let .int(i):
            return map[.int(i)] ?? (i >= 0 ? map[.uint(UInt64(i))] : nil)
        case let .uint(u):
            return map[.uint(u)] ?? (u <= UInt64(Int64.max) ? map[.int(Int64(u))] : nil)
        case let .double(d):
            guard d.isFinite, d == d.rounded(.towardZero) else { return nil }
            if d >= -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0, let hit = map[.int(Int64(d))] { return hit }
            if d >= 0, d < 18_446_744_073_709_551_616.0, let hit = map[.uint(UInt64(d))] { return hit }
            return nil
        default:
            return CELMapKey(key).flatMap { map[$0] }
        }
    }
}
