import CEL
import Foundation
import Testing

/// Runs cel-spec's conformance tests (`shared/conformance/cel-spec/*.textproto`, read directly) and
/// classifies each as passed, unsupported (the evaluator said so, or the reader cannot represent the test's
/// values) or wrong. Wrong must be zero: an unsupported feature may be refused, never answered wrongly.
@Suite struct CELConformanceTests {
    enum Verdict {
        case passed
        case unsupported(String)
        case wrong(String)
    }

    /// Tests whose expected value relies on something the value model lacks, though the evaluator's answer
    /// is a plain value. Each entry says why; none hides a wrong answer of a supported feature.
    static let skipped: [String: String] = [:]

    /// Finds `shared/conformance/cel-spec` above this file (the repository sits next to `shared`), or
    /// `CEL_CONFORMANCE_DIR`.
    static func conformanceDirectory() -> URL? {
        if let override = ProcessInfo.processInfo.environment["CEL_CONFORMANCE_DIR"] { return URL(fileURLWithPath: override) }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/conformance/cel-spec")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }

    @Test func conformanceFiles() throws {
        guard let directory = Self.conformanceDirectory() else {
            Issue.record("cel-spec conformance files not found above \(#filePath); set CEL_CONFORMANCE_DIR")
            return
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".textproto") }.sorted()
        #expect(!files.isEmpty, "no .textproto files in \(directory.path)")
        var totals = (passed: 0, unsupported: 0, wrong: 0)
        var wrongs: [String] = []
        var reasons: [String: Int] = [:]
        for file in files {
            let source = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let suite = try TextProto.parse(source)
            var counts = (passed: 0, unsupported: 0, wrong: 0)
            for section in suite.all("section") {
                for test in section.all("test") {
                    let name = "\(file)/\(section["name"]?.text ?? "?")/\(test["name"]?.text ?? "?")"
                    switch Self.run(test, name: name) {
                    case .passed: counts.passed += 1
                    case let .unsupported(reason):
                        counts.unsupported += 1
                        reasons[reason, default: 0] += 1
                    case let .wrong(detail):
                        counts.wrong += 1
                        wrongs.append("\(name): \(detail)")
                    }
                }
            }
            print("CEL conformance \(file): passed \(counts.passed), unsupported \(counts.unsupported), wrong \(counts.wrong)")
            totals = (totals.passed + counts.passed, totals.unsupported + counts.unsupported, totals.wrong + counts.wrong)
        }
        print("CEL conformance total: passed \(totals.passed), unsupported \(totals.unsupported), wrong \(totals.wrong)")
        for (reason, count) in reasons.sorted(by: { $0.value > $1.value }).prefix(25) { print("  unsupported ×\(count): \(reason)") }
        for wrong in wrongs { print("  WRONG \(wrong)") }
        #expect(totals.wrong == 0, "\(totals.wrong) conformance tests answered wrongly:\n\(wrongs.joined(separator: "\n"))")
    }

    static func run(_ test: TextProto, name: String) -> Verdict {
        if let why = skipped[name] { return .unsupported("skipped: \(why)") }
        if test["check_only"]?.isTrue == true { return .unsupported("check-only test") }
        if test["disable_macros"]?.isTrue == true { return .unsupported("macros disabled") }
        guard let expr = test["expr"]?.text else { return .wrong("no expression") }
        var bindings: [String: CELBinding] = [:]
        for binding in test.all("bindings") {
            guard let key = binding["key"]?.text, let exprValue = binding["value"] else { return .wrong("malformed binding") }
            guard let valueField = exprValue["value"] else { return .unsupported("binding that is not a plain value") }
            switch Self.value(valueField) {
            case let .success(value): bindings[key] = CELBinding(value)
            case let .failure(reason): return .unsupported("binding value: \(reason.description)")
            }
        }
        let program: CELProgram
        do {
            program = try CELProgram(parsing: expr)
        } catch {
            if error.kind == .unsupported { return .unsupported(error.message) }
            return .wrong("parse failed: \(error)")
        }
        // cel-go's checker accepts every test that does not disable checking, so ours must not refuse one
        // (tests declaring variables are left out: ours types every variable as a JSON object).
        if test["disable_check"]?.isTrue != true, test.all("type_env").isEmpty {
            do {
                _ = try program.checkedType(variables: [], homogeneousAggregateLiterals: false)
            } catch {
                if error.kind == .unsupported { return .unsupported(error.message) }
                return .wrong("checker refused: \(error)")
            }
        }
        let result = program.evaluate(bindings)
        if case let .error(error) = result, error.kind == .unsupported { return .unsupported(error.message) }

        if test["eval_error"] != nil || test["any_eval_errors"] != nil {
            if case let .error(error) = result {
                if ProcessInfo.processInfo.environment["CEL_CONFORMANCE_VERBOSE"] != nil {
                    let expected = (test["eval_error"] ?? test["any_eval_errors"])?.all("errors").first?["message"]?.text ?? "?"
                    print("  error \(name): expected '\(expected)', got '\(error)'")
                }
                return .passed
            }
            return .wrong("expected an error, got \(result)")
        }
        if test["unknown"] != nil || test["any_unknowns"] != nil { return .unsupported("unknown-set expectations") }
        let expectedField = test["value"] ?? test["typed_result"]?["result"]
        let expected: CELValue
        if let expectedField {
            switch Self.value(expectedField) {
            case let .success(value): expected = value
            case let .failure(reason): return .unsupported("expected value: \(reason.description)")
            }
        } else {
            expected = .bool(true)
        }
        guard case let .value(actual) = result else { return .wrong("expected \(expected), got \(result)") }
        return actual == expected ? .passed : .wrong("expected \(expected), got \(actual)")
    }

    struct Unrepresentable: Error, CustomStringConvertible {
        var description: String
    }

    /// Converts a `cel.expr.Value` message; kinds the value model lacks are reported, not approximated.
    static func value(_ message: TextProto) -> Result<CELValue, Unrepresentable> {
        guard case let .message(fields) = message, let field = fields.first else {
            return .failure(Unrepresentable(description: "empty value"))
        }
        let payload = field.value
        switch field.name {
        case "null_value": return .success(.null)
        case "bool_value": return .success(.bool(payload.isTrue))
        case "int64_value":
            guard let text = payload.text, let i = Int64(text) else { return .failure(Unrepresentable(description: "bad int64")) }
            return .success(.int(i))
        case "uint64_value":
            guard let text = payload.text, let u = UInt64(text) else { return .failure(Unrepresentable(description: "bad uint64")) }
            return .success(.uint(u))
        case "double_value":
            guard let text = payload.text?.lowercased() else { return .failure(Unrepresentable(description: "bad double")) }
            switch text {
            case "inf", "infinity": return .success(.double(.infinity))
            case "-inf", "-infinity": return .success(.double(-.infinity))
            case "nan": return .success(.double(.nan))
            default:
                guard let d = Double(text) else { return .failure(Unrepresentable(description: "bad double \(text)")) }
                return .success(.double(d))
            }
        case "string_value":
            guard let bytes = payload.bytes, let s = String(validating: bytes, as: UTF8.self) else {
                return .failure(Unrepresentable(description: "string that is not UTF-8"))
            }
            return .success(.string(s))
        case "bytes_value":
            return .success(.bytes(payload.bytes ?? []))
        case "list_value":
            var list: [CELValue] = []
            for element in payload.all("values") {
                switch value(element) {
                case let .success(v): list.append(v)
                case let .failure(reason): return .failure(reason)
                }
            }
            return .success(.list(list))
        case "map_value":
            var map: [CELMapKey: CELValue] = [:]
            for entry in payload.all("entries") {
                guard let keyField = entry["key"], let valueField = entry["value"] else {
                    return .failure(Unrepresentable(description: "malformed map entry"))
                }
                switch (value(keyField), value(valueField)) {
                case let (.success(k), .success(v)):
                    guard let key = CELMapKey(k) else { return .failure(Unrepresentable(description: "map key \(k)")) }
                    map[key] = v
                case let (.failure(reason), _), let (_, .failure(reason)): return .failure(reason)
                }
            }
            return .success(.map(map))
        default:
            return .failure(Unrepresentable(description: field.name))
        }
    }
}
