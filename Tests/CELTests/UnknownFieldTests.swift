import CEL
import Testing

/// fluxstamp cannot know a past event's `message` or `timestamp`: results that depend on them are unknown
/// (reported as not reproducible); results that do not are evaluated normally.
@Suite struct UnknownFieldTests {
    static let bindings: [String: CELBinding] = [
        "event": CELBinding(
            NCFixtures.event,
            unknownPaths: [["message"], ["timestamp"], ["metadata", "kustomize.toolkit.fluxcd.io/revision"]]),
        "provider": CELBinding(NCFixtures.provider),
        "alert": CELBinding(.null, unknownPaths: [[]]),
    ]

    struct Case: CustomTestStringConvertible, Sendable {
        var expression: String
        var expected: CELResult
        var testDescription: String { expression }
    }

    static let cases: [Case] = [
        Case(expression: "event.message", expected: .unknown(["event.message"])),
        Case(expression: "event.involvedObject.kind + '/' + event.message", expected: .unknown(["event.message"])),
        Case(expression: "event.message + event.timestamp", expected: .unknown(["event.message", "event.timestamp"])),
        Case(expression: "event['message'].lowerAscii()", expected: .unknown(["event.message"])),
        Case(
            expression: "event.metadata['kustomize.toolkit.fluxcd.io/revision']",
            expected: .unknown(["event.metadata['kustomize.toolkit.fluxcd.io/revision']"])),
        Case(expression: "has(event.message) ? 'a' : 'b'", expected: .unknown(["event.message"])),
        Case(expression: "event.message.contains('failed') ? 'error' : 'ok'", expected: .unknown(["event.message"])),
        Case(expression: "true && event.message == 'x'", expected: .unknown(["event.message"])),
        Case(expression: "alert.metadata.name", expected: .unknown(["alert"])),
        // A value containing an unknown field is itself not known.
        Case(
            expression: "size(event)",
            expected: .unknown(["event.message", "event.metadata['kustomize.toolkit.fluxcd.io/revision']", "event.timestamp"])),
        // Expressions that do not depend on the unknown fields evaluate normally.
        Case(expression: "false && event.message == 'x'", expected: .value(false)),
        Case(expression: "event.message == 'x' && false", expected: .value(false)),
        Case(expression: "event.message == 'x' || true", expected: .value(true)),
        Case(expression: "true ? event.involvedObject.name : event.message", expected: .value("gitops-system")),
        Case(
            expression: "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-')[0]",
            expected: .value("Kustomization/gitops-system/0c9c2e41")),
        Case(
            expression: "has(event.metadata.summary) ? event.metadata.summary : event.metadata.clusterName",
            expected: .value("prod-eu-1")),
        // Errors that do not depend on the unknown fields are still errors.
        Case(expression: "event.metadata.summary", expected: .error(CELError(.noSuchKey, "no such key: 'summary'"))),
        Case(expression: "event.message + event.metadata.summary", expected: .error(CELError(.noSuchKey, "no such key: 'summary'"))),
    ]

    @Test(arguments: cases)
    func propagates(_ testCase: Case) throws {
        #expect(try CELProgram(parsing: testCase.expression).evaluate(Self.bindings) == testCase.expected)
    }
}

/// What notification-controller's compile step (cel-go's checker, output type `string`) decides.
@Suite struct CheckedTypeTests {
    enum Expectation: Sendable {
        case success(CELType)
        case failure(CELError.Kind)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var expression: String
        var expected: Expectation
        var testDescription: String { expression }
    }

    static let cases: [Case] = [
        Case(
            expression: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.clusterName)",
            expected: .success(.string)),
        Case(expression: "event.metadata.clusterName", expected: .success(.dyn)),
        Case(expression: "event.metadata.clusterName + ''", expected: .success(.string)),
        Case(expression: "provider.metadata.uid.split('-')[0]", expected: .success(.string)),
        Case(expression: "provider.metadata.uid.split('-')", expected: .success(.list(.string))),
        // Flux's docs example: `first()` gives optional_type(string), `value()` its string.
        Case(
            expression: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.foo + '/' "
                + "+ provider.metadata.uid.split('-').first().value()).lowerAscii()",
            expected: .success(.string)),
        Case(expression: "provider.metadata.uid.split('-').last()", expected: .success(.optional(.string))),
        Case(expression: "[1].first().orValue(2)", expected: .success(.int)),
        Case(expression: "[1].first().orValue('a')", expected: .failure(.noSuchOverload)),
        // cel-go binds none()'s type parameter to string; this checker keeps dyn (less precise: refuse, never guess).
        Case(expression: "optional.none().or(optional.of('a'))", expected: .success(.optional(.dyn))),
        Case(expression: "'abc'.first()", expected: .failure(.noSuchOverload)),
        Case(expression: "string(size(event.metadata))", expected: .success(.string)),
        Case(expression: "has(event.metadata.x) ? event.metadata.x : 'none'", expected: .success(.dyn)),
        Case(expression: "has(event.metadata.x) ? 'a' : 'none'", expected: .success(.string)),
        Case(expression: "event.involvedObject.name.lowerAscii()", expected: .success(.string)),
        Case(expression: "size(event.metadata) > 1", expected: .success(.bool)),
        Case(expression: "notification.metadata.name + ''", expected: .failure(.undeclaredReference)),
        Case(expression: "true || notification.metadata.name == ''", expected: .failure(.undeclaredReference)),
        Case(expression: "event.metadata.x + nosuch(1)", expected: .failure(.undeclaredReference)),
        Case(expression: "'a' + 1", expected: .failure(.noSuchOverload)),
        Case(expression: "'a' == 1", expected: .failure(.noSuchOverload)),
        Case(expression: "[1, 'a'][0] + ''", expected: .failure(.noSuchOverload)),
        // notification-controller's homogeneous literals: a dyn field and a string do not mix, except in format().
        Case(expression: "[event.metadata.a, 'x'].join('/')", expected: .failure(.noSuchOverload)),
        Case(expression: "[event.metadata.a + '', 'x'].join('/')", expected: .success(.string)),
        Case(expression: "(1).lowerAscii()", expected: .failure(.noSuchOverload)),
        Case(expression: "sets.contains([1], [1])", expected: .failure(.unsupported)),
        Case(expression: "'%s-%s'.format([event.metadata.a, provider.metadata.uid])", expected: .success(.string)),
        Case(expression: "'%s-%s'.format([event.metadata.a, 1])", expected: .success(.string)),
        Case(expression: "'%s-%s'.format([event.metadata.a])", expected: .failure(.invalidArgument)),
        Case(expression: "'%d'.format(['a'])", expected: .failure(.invalidArgument)),
    ]

    @Test(arguments: cases)
    func deducesType(_ testCase: Case) throws {
        let program = try CELProgram(parsing: testCase.expression)
        switch testCase.expected {
        case let .success(type):
            #expect(try program.checkedType(variables: NCFixtures.variables) == type)
        case let .failure(kind):
            #expect { _ = try program.checkedType(variables: NCFixtures.variables) } throws: { ($0 as? CELError)?.kind == kind }
        }
    }
}
