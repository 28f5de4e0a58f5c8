/// CEL arithmetic: no implicit conversions between int, uint and double; integer overflow is an error.
enum CELArithmetic {
    private static func overflow(_ function: String) -> CELError {
        CELError(.overflow, "integer overflow in '\(function)'")
    }

    static func add(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow("_+_") }
            return .int(r)
        case let (.uint(x), .uint(y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw overflow("_+_") }
            return .uint(r)
        case let (.double(x), .double(y)): return .double(x + y)
        case let (.string(x), .string(y)): return .string(x + y)
        case let (.bytes(x), .bytes(y)): return .bytes(x + y)
        case let (.list(x), .list(y)): return .list(x + y)
        default: throw .noOverload("_+_", [a, b])
        }
    }

    static func subtract(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow("_-_") }
            return .int(r)
        case let (.uint(x), .uint(y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw overflow("_-_") }
            return .uint(r)
        case let (.double(x), .double(y)): return .double(x - y)
        default: throw .noOverload("_-_", [a, b])
        }
    }

    static func multiply(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case let (.int(x), .int(y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow("_*_") }
            return .int(r)
        case let (.uint(x), .uint(y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw overflow("_*_") }
            return .uint(r)
        case let (.double(x), .double(y)): return .double(x * y)
        default: throw .noOverload("_*_", [a, b])
        }
    }

    static func divide(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw CELError(.divisionByZero, "division by zero") }
            let (r, o) = x.dividedReportingOverflow(by: y)
            if o { throw overflow("_/_") }
            return .int(r)
        case let (.uint(x), .uint(y)):
            if y == 0 { throw CELError(.divisionByZero, "division by zero") }
            return .uint(x / y)
        case let (.double(x), .double(y)): return .double(x / y)
        default: throw .noOverload("_/_", [a, b])
        }
    }

    static func remainder(_ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
        switch (a, b) {
        case let (.int(x), .int(y)):
            if y == 0 { throw CELError(.divisionByZero, "modulus by zero") }
            let (r, o) = x.remainderReportingOverflow(dividingBy: y)
            if o { throw overflow("_%_") }
            return .int(r)
        case let (.uint(x), .uint(y)):
            if y == 0 { throw CELError(.divisionByZero, "modulus by zero") }
            return .uint(x % y)
        default: throw .noOverload("_%_", [a, b])
        }
    }

    static func negate(_ a: CELValue) throws(CELError) -> CELValue {
        switch a {
        case let .int(x):
            if x == Int64.min { throw overflow("-_") }
            return .int(-x)
        case let .double(x): return .double(-x)
        default: throw .noOverload("-_", [a])
        }
    }
}
