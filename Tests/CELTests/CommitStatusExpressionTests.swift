import CEL
import Testing

/// Objects shaped the way notification-controller hands them to `commitStatusExpr` (the JSON of Flux's
/// event and API types, after Kubernetes' unstructured conversion).
enum NCFixtures {
    static let event: CELValue = [
        "involvedObject": [
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "name": "gitops-system",
            "namespace": "flux-system", "uid": "7d0cb8a1-52b1-4a3c-9a53-6a4f2d7c0e11",
        ],
        "severity": "info",
        "timestamp": "2026-11-20T10:00:00Z",
        "message": "Reconciliation finished in 1.2s, next run in 10m0s",
        "reason": "ReconciliationSucceeded",
        "reportingController": "kustomize-controller",
        "metadata": [
            "revision": "main@sha1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
            "environment": "production",
            "clusterName": "prod-eu-1",
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c",
        ],
    ]

    static let provider: CELValue = [
        "metadata": ["name": "github-status", "namespace": "flux-system", "uid": "0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a"],
        "spec": ["type": "github", "address": "https://github.com/my-gh-org/my-gh-repo"],
    ]

    static let alert: CELValue = [
        "metadata": ["name": "test-alert", "namespace": "flux-system"],
        "spec": ["eventSeverity": "info", "summary": "Cluster addons"],
    ]

    static let bindings: [String: CELValue] = ["event": event, "provider": provider, "alert": alert]
    static let variables: Set<String> = ["event", "provider", "alert"]
}

@Suite struct CommitStatusExpressionTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var expression: String
        var expected: CELResult
        var testDescription: String { expression }
    }

    static let values: [Case] = [
        // The example of Flux's Provider documentation.
        Case(
            expression: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.clusterName)",
            expected: .value("Kustomization/gitops-system/prod-eu-1")),
        // notification-controller's own tests (internal/server/provider_commit_status_test.go).
        Case(
            expression: "event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' "
                + "+ provider.metadata.uid + '/' + alert.metadata.name",
            expected: .value("Kustomization/gitops-system/production/0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a/test-alert")),
        Case(
            expression: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.environment + '/' "
                + "+ provider.metadata.uid + '/' + alert.metadata.name).lowerAscii()",
            expected: .value("kustomization/gitops-system/production/0c9c2e41-d2f9-4f9b-9c41-bebc1984d67a/test-alert")),
        // NC's default context, rebuilt in CEL.
        Case(
            expression: "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' "
                + "+ provider.metadata.uid.split('-')[0]).lowerAscii()",
            expected: .value("kustomization/gitops-system/0c9c2e41")),
        Case(
            expression: "event.metadata['kustomize.toolkit.fluxcd.io/revision'].split('@')[0] + '/' + event.involvedObject.name",
            expected: .value("main/gitops-system")),
        Case(
            expression: "has(event.metadata.summary) ? 'fluxcd:' + event.metadata.summary : 'fluxcd'",
            expected: .value("fluxcd")),
        Case(
            expression: "'clusterName' in event.metadata ? event.metadata.clusterName.upperAscii() : 'none'",
            expected: .value("PROD-EU-1")),
        Case(
            expression: "alert.spec.summary.replace(' ', '-').lowerAscii() + '/' + provider.spec.type",
            expected: .value("cluster-addons/github")),
        Case(expression: "event.involvedObject.name.substring(0, event.involvedObject.name.indexOf('-'))", expected: .value("gitops")),
        Case(
            expression: "event.involvedObject.namespace.startsWith('flux') && event.involvedObject.name.matches('^gitops-[a-z]+$')",
            expected: .value(true)),
        Case(expression: "['a', event.metadata.environment, 'b'].join('.')", expected: .value("a.production.b")),
        Case(expression: "size(event.metadata) == 4 ? string(size(event.involvedObject.name)) : ''", expected: .value("13")),
        Case(expression: "'  ' + event.severity + '  '", expected: .value("  info  ")),
        Case(expression: "('  ' + event.severity + '  ').trim()", expected: .value("info")),
        Case(
            expression: "event.involvedObject.kind.endsWith('ization') ? event.reason.contains('Succeeded') : false",
            expected: .value(true)),
        Case(
            expression: "'prod' in ['dev', 'prod'] && int('41') + 1 == 42 && uint('7') == 7u && double('2.5') == 2.5",
            expected: .value(true)),
        Case(expression: "[1, 2, 3].map(x, x * 2).filter(x, x > 2).exists(x, x == 6)", expected: .value(true)),
        Case(
            expression: "'%s/%s/%s'.format([event.involvedObject.kind, event.involvedObject.name, provider.metadata.uid.substring(0, 8)])",
            expected: .value("Kustomization/gitops-system/0c9c2e41")),
        Case(expression: "'%s %d %.2f %x'.format([true, size(event.metadata), 2.5, 255])", expected: .value("true 4 2.50 ff")),
        // The optional types library notification-controller enables (cel.OptionalTypes).
        Case(expression: "provider.metadata.uid.split('-').first().value()", expected: .value("0c9c2e41")),
        Case(expression: "provider.metadata.uid.split('-').last().value()", expected: .value("bebc1984d67a")),
        Case(expression: "[].first().hasValue() || [1].last().hasValue() == false", expected: .value(false)),
        Case(expression: "event.metadata.environment.split('/').first().orValue('none')", expected: .value("production")),
        Case(expression: "[].first().orValue(event.severity)", expected: .value("info")),
        Case(expression: "[].first().or(optional.of('b')).value() + optional.none().orValue('c')", expected: .value("bc")),
        // `or`/`orValue` short-circuit as in cel-go: the alternative is not evaluated when a value is present.
        Case(expression: "optional.of('a').orValue(event.metadata.missing)", expected: .value("a")),
        Case(expression: "optional.ofNonZeroValue('').hasValue() || !optional.ofNonZeroValue('x').hasValue()", expected: .value(false)),
        Case(expression: "optional.of(1) == optional.of(1) && optional.none() == optional.none()", expected: .value(true)),
        Case(expression: "optional.of(1) != optional.none()", expected: .value(true)),
    ]

    @Test(arguments: values)
    func evaluates(_ testCase: Case) throws {
        let program = try CELProgram(parsing: testCase.expression)
        #expect(program.evaluate(NCFixtures.bindings) == testCase.expected)
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var expression: String
        var kind: CELError.Kind
        var mentions: String
        var testDescription: String { expression }
    }

    /// Expressions notification-controller cannot evaluate either: the error is reported, never a value.
    static let errors: [ErrorCase] = [
        ErrorCase(expression: "event.involvedObject.kind + '/' + event.metadata.summary", kind: .noSuchKey, mentions: "summary"),
        ErrorCase(expression: "event.involvedObject.kind + '/' + event.metadata['summary']", kind: .noSuchKey, mentions: "summary"),
        ErrorCase(
            expression: "event.involvedObject.kind + '/' + notification.metadata.name",
            kind: .undeclaredReference, mentions: "notification"),
        ErrorCase(
            expression: "kustomization.metadata.name + '/' + provider.metadata.uid",
            kind: .undeclaredReference, mentions: "kustomization"),
        ErrorCase(expression: "provider.metadata.uid.split('-')[9]", kind: .indexOutOfRange, mentions: "9"),
        ErrorCase(expression: "event.involvedObject.name + 1", kind: .noSuchOverload, mentions: "_+_"),
        ErrorCase(expression: "string(10 / (size(event.severity) - 4))", kind: .divisionByZero, mentions: "division by zero"),
        ErrorCase(expression: "string(9223372036854775807 + size(event.severity))", kind: .overflow, mentions: "overflow"),
        ErrorCase(expression: "event.involvedObject.name.substring(20)", kind: .indexOutOfRange, mentions: "20"),
        ErrorCase(expression: "base64.encode(bytes(event.involvedObject.name))", kind: .unsupported, mentions: "base64.encode"),
        ErrorCase(expression: "'%d'.format([event.involvedObject.name])", kind: .invalidArgument, mentions: "'%d'"),
        ErrorCase(expression: "event.involvedObject.name.matches('(?=gitops)')", kind: .unsupported, mentions: "(?="),
        ErrorCase(expression: "string(timestamp(event.timestamp))", kind: .unsupported, mentions: "timestamp"),
        ErrorCase(expression: "event.involvedObject.name.matches('[')", kind: .invalidArgument, mentions: "regular expression"),
        // Conversions follow Go's strconv, which notification-controller uses: no sign on uint, none on NaN.
        ErrorCase(expression: "string(uint('+1'))", kind: .invalidArgument, mentions: "'+1'"),
        ErrorCase(expression: "string(double('+nan'))", kind: .invalidArgument, mentions: "'+nan'"),
        ErrorCase(expression: "string(double('0x10'))", kind: .invalidArgument, mentions: "'0x10'"),
        ErrorCase(expression: "string(int('1.0'))", kind: .invalidArgument, mentions: "'1.0'"),
        ErrorCase(expression: "[].first().value()", kind: .invalidArgument, mentions: "optional.none() dereference"),
        ErrorCase(expression: "event.severity.first()", kind: .noSuchOverload, mentions: "first"),
        ErrorCase(expression: "optional.none().orValue(event.metadata.missing)", kind: .noSuchKey, mentions: "missing"),
    ]

    @Test(arguments: errors)
    func reportsErrors(_ testCase: ErrorCase) throws {
        let result = try CELProgram(parsing: testCase.expression).evaluate(NCFixtures.bindings)
        guard case let .error(error) = result else {
            Issue.record("expected a \(testCase.kind) error, got \(result)")
            return
        }
        #expect(error.kind == testCase.kind)
        #expect(error.description.contains(testCase.mentions), "\(error)")
    }

    struct SyntaxCase: CustomTestStringConvertible, Sendable {
        var expression: String
        var kind: CELError.Kind
        var testDescription: String { expression }
    }

    @Test(arguments: [
        SyntaxCase(expression: "event.", kind: .syntax),
        SyntaxCase(expression: "event.metadata['a'", kind: .syntax),
        SyntaxCase(expression: "'unterminated", kind: .syntax),
        SyntaxCase(expression: "1 +", kind: .syntax),
        SyntaxCase(expression: "if", kind: .syntax),
        SyntaxCase(expression: "0X1F", kind: .syntax),
        SyntaxCase(expression: "event.true", kind: .syntax),
        SyntaxCase(expression: "'\\d'", kind: .syntax),
        SyntaxCase(expression: "'a\nb'", kind: .syntax),
        SyntaxCase(expression: "Provider{name: 'x'}", kind: .unsupported),
        SyntaxCase(expression: "event.?metadata", kind: .unsupported),
        SyntaxCase(expression: "[?event.message]", kind: .unsupported),
    ])
    func refusesToParse(_ testCase: SyntaxCase) {
        #expect {
            _ = try CELProgram(parsing: testCase.expression)
        } throws: { error in
            (error as? CELError)?.kind == testCase.kind
        }
    }
}

@Suite struct CELDepthTests {
    /// Long chains evaluate (the evaluator recurses per level); deeper trees are refused, never a crash.
    @Test func longChainsEvaluateAndDeeperOnesAreRefused() throws {
        let accepted = Array(repeating: "1", count: 190).joined(separator: " + ")
        #expect(try CELProgram(parsing: accepted).evaluate([String: CELValue]()) == .value(.int(190)))
        let nested = String(repeating: "[", count: 190) + "'x'" + String(repeating: "]", count: 190)
        #expect(try CELProgram(parsing: "size(\(nested)) == 1").evaluate([String: CELValue]()) == .value(true))
        for refused in [
            Array(repeating: "1", count: 400).joined(separator: " + "),
            String(repeating: "(", count: 400) + "1" + String(repeating: ")", count: 400),
            "x" + String(repeating: ".a", count: 400),
            Array(repeating: "true", count: 400).joined(separator: " && "),
        ] {
            #expect { _ = try CELProgram(parsing: refused) } throws: { ($0 as? CELError)?.kind == .syntax }
        }
    }
}
