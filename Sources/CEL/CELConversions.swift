/// CEL's type conversion functions: `int`, `uint`, `double`, `string`, `bytes`, `bool`.
enum CELConversions {
    private static func range(_ target: String, _ value: CELValue) -> CELError {
        CELError(.overflow, "\(target)(\(value.typeName)) out of range: \(CELFormat.quoted(value))")
    }

    static func convert(_ function: String, _ value: CELValue) throws(CELError) -> CELValue {
        switch (function, value) {
        case (_, _) where function == value.typeName: return value
        case let ("int", .uint(u)):
            guard u <= UInt64(Int64.max) else { throw range("int", value) }
            return .int(Int64(u))
        case let ("int", .double(d)):
            // Like cel-go: both ends excluded, since ±2^63 as a double is not exactly an int64 boundary.
            guard d.isFinite, d > -9_223_372_036_854_775_808.0, d < 9_223_372_036_854_775_808.0 else { throw range("int", value) }
            return .int(Int64(d))
        case let ("int", .string(s)):
            guard let i = Int64(s) else { throw CELError(.invalidArgument, "cannot convert string \(CELFormat.quoted(value)) to int") }
            return .int(i)
        case let ("uint", .int(i)):
            guard i >= 0 else { throw range("uint", value) }
            return .uint(UInt64(i))
        case let ("uint", .double(d)):
            guard d.isFinite, d >= 0, d < 18_446_744_073_709_551_616.0 else { throw range("uint", value) }
            return .uint(UInt64(d))
        case let ("uint", .string(s)):
            // Go's ParseUint takes no sign; Swift's UInt64("+1") would.
            guard !s.hasPrefix("+"), let u = UInt64(s) else {
                throw CELError(.invalidArgument, "cannot convert string \(CELFormat.quoted(value)) to uint")
            }
            return .uint(u)
        case let ("double", .int(i)): return .double(Double(i))
        case let ("double", .uint(u)): return .double(Double(u))
        case let ("double", .string(s)):
            guard let d = CELFormat.parseDouble(s) else {
                throw CELError(.invalidArgument, "cannot convert string \(CELFormat.quoted(value)) to double")
            }
            return .double(d)
        case let ("string", .int(i)): return .string(String(i))
        case let ("string", .uint(u)): return .string(String(u))
        case let ("string", .double(d)): return .string(CELFormat.goFloat(d))
        case let ("string", .bytes(b)):
            guard let s = String(validating: b, as: UTF8.self) else { throw CELError(.invalidArgument, "bytes are not valid UTF-8") }
            return .string(s)
        case let ("string", .bool(b)): return .string(b ? "true" : "false")
        case let ("bytes", .string(s)): return .bytes(Array(s.utf8))
        case let ("bool", .string(s)):
            switch s {
            case "1", "t", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "false", "FALSE", "False": return .bool(false)
            default: throw CELError(.invalidArgument, "cannot convert string \(CELFormat.quoted(value)) to bool")
            }
        default: throw .noOverload(function, [value])
        }
    }
}
