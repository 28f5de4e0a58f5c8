import CEL
import Foundation
import Testing

@Suite struct CELValueJSONTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var json: String
        var expected: CELValue
        var testDescription: String { json }
    }

    @Test(arguments: [
        Case(
            json: #"{"a": 1, "b": 1.5, "c": -2, "d": 1e3}"#,
            expected: ["a": .int(1), "b": .double(1.5), "c": .int(-2), "d": .double(1000)]),
        Case(json: "18446744073709551615", expected: .uint(18_446_744_073_709_551_615)),
        Case(json: "1e400", expected: .double(.infinity)),
        Case(json: #"[true, false, null, "x"]"#, expected: [true, false, nil, "x"]),
        Case(json: #""caf\u00e9 \ud83d\ude00 \n\"""#, expected: "café 😀 \n\""),
        Case(json: #" { "metadata" : { "summary" : "" } } "#, expected: ["metadata": ["summary": ""]]),
    ])
    func decodes(_ testCase: Case) throws {
        #expect(try CELValue(json: Data(testCase.json.utf8)) == testCase.expected)
    }

    @Test(arguments: [#"{"a": }"#, "[1, 2", #"{"a" 1}"#, "01", #""\ud800""#, "nul", "1 2", #"{"a": "\x"}"#])
    func refusesInvalidJSON(_ json: String) {
        #expect { _ = try CELValue(json: Data(json.utf8)) } throws: { ($0 as? CELError)?.kind == .invalidArgument }
    }

    /// An event as notification-controller receives it, decoded from JSON, evaluates like the literal fixture.
    @Test func evaluatesDecodedEvent() throws {
        let json = #"""
            {"involvedObject": {"kind": "Kustomization", "name": "apps", "namespace": "flux-system"},
             "severity": "error", "metadata": {"revision": "main@sha1:abc", "clusterName": "staging"}, "reason": "HealthCheckFailed"}
            """#
        let event = try CELValue(json: Data(json.utf8))
        let program = try CELProgram(
            parsing: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.clusterName)")
        #expect(program.evaluate(["event": event]) == .value("Kustomization/apps/staging"))
    }
}

@Suite struct CELRegexTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var text: String
        var pattern: String
        var expected: Bool?  // nil: refused as unsupported
        var testDescription: String { "'\(text)'.matches('\(pattern)')" }
    }

    @Test(arguments: [
        Case(text: "gitops-system", pattern: "^gitops-", expected: true),
        Case(text: "gitops-system", pattern: "system$", expected: true),
        Case(text: "gitops-system", pattern: "^system", expected: false),
        Case(text: "abc123", pattern: "\\d{3}", expected: true),
        Case(text: "\u{0663}", pattern: "\\d", expected: false),  // RE2's \d is ASCII only
        Case(text: "é", pattern: "^\\w$", expected: false),  // and so is \w
        Case(text: "😀😀", pattern: "^.{2}$", expected: true),  // code points, not grapheme clusters
        Case(text: "e\u{301}", pattern: "^..$", expected: true),
        Case(text: "Prod", pattern: "(?i)^prod$", expected: true),
        Case(text: "a-b", pattern: "(?P<first>a)-b", expected: true),
        Case(text: "ab", pattern: "a(?=b)", expected: nil),
        Case(text: "aa", pattern: "(a)\\1", expected: nil),
        Case(text: "aaa", pattern: "a++", expected: nil),
        Case(text: "a\rb", pattern: "a.b", expected: nil),
        Case(text: "a\n", pattern: "a$", expected: nil),
        Case(text: "x", pattern: "[[:alpha:]]", expected: nil),
        Case(text: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", pattern: "^(a+)+$", expected: nil),
        Case(text: "ab", pattern: "((ab)*c?)+", expected: nil),
        Case(text: "abab", pattern: "^(ab)+$", expected: true),
        Case(text: "a+b", pattern: "^(a[+*]b)*$", expected: true),
        Case(text: "aaa", pattern: "^(a{1,2}){2}$", expected: nil),
    ])
    func matches(_ testCase: Case) throws {
        let program = try CELProgram(parsing: "text.matches(pattern)")
        let result = program.evaluate(["text": .string(testCase.text), "pattern": .string(testCase.pattern)])
        if let expected = testCase.expected {
            #expect(result == .value(.bool(expected)))
        } else {
            guard case let .error(error) = result else {
                Issue.record("expected unsupported, got \(result)")
                return
            }
            #expect(error.kind == .unsupported)
        }
    }
}

@Suite struct CELDoubleFormatTests {
    /// `string(double)` follows Go's `%g`, as cel-go does.
    @Test(arguments: [
        (1.5, "1.5"), (100000.0, "100000"), (1e6, "1e+06"), (123456789.0, "1.23456789e+08"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (-4.5e-3, "-0.0045"), (1e21, "1e+21"), (0.1, "0.1"), (-0.0, "-0"),
    ])
    func formats(_ value: Double, _ expected: String) throws {
        #expect(try CELProgram(parsing: "string(x)").evaluate(["x": .double(value)]) == .value(.string(expected)))
    }
}
