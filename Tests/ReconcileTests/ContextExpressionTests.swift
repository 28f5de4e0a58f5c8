import CEL
import Forges
import Foundation
import Reconcile
import Testing

/// `spec.commitStatusExpr` (issue 9, item 10): the context notification-controller computes, from
/// `event`, `alert` and `provider` built as NC builds them; unknowns are reported, never guessed.
@Suite struct ContextExpressionTests {
    static let uid = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"
    static let revision = "main@sha1:" + String(repeating: "ab", count: 20)

    static func expression(_ source: String, metadata: [String: String]? = ["env": "prod"]) -> ContextExpression {
        ContextExpression(
            source: source,
            provider: [
                "metadata": ["name": "github-status", "namespace": "flux-system", "uid": .string(uid)],
                "spec": ["type": "github", "address": "https://github.com/acme/fleet", "commitStatusExpr": .string(source)],
            ],
            providerUnknowns: [["spec", "timeout"], ["metadata", "resourceVersion"]],
            alert: ["metadata": ["name": "status", "namespace": "flux-system"], "spec": ["eventSeverity": "info"]],
            alertUnknowns: [["metadata", "labels"]],
            involvedObject: [
                "kind": "Kustomization", "name": "apps", "namespace": "flux-system",
                "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            ],
            metadata: metadata)
    }

    static let success = ContextExpression.Outcome.Fact(succeeded: true, reason: "ReconciliationSucceeded", revision: revision)
    static let failure = ContextExpression.Outcome.Fact(
        succeeded: false, reason: "HealthCheckFailed", revision: revision,
        message: "timeout waiting for Deployment/apps/web")

    @Test(
        "contexts NC computes",
        arguments: [
            // NC's default id, written as an expression.
            (
                "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + provider.metadata.uid.split('-')[0]).lowerAscii()",
                true, "kustomization/apps/0c9c2e41"
            ),
            // The three objects mixed; an Alert eventMetadata key appears in event.metadata.
            ("event.metadata.env + '/' + alert.metadata.name + '/' + provider.spec.type", true, "prod/status/github"),
            (
                "event.severity == 'error' ? 'flux-failed/' + event.involvedObject.name : 'flux/' + event.involvedObject.name", false,
                "flux-failed/apps"
            ),
            (
                "event.severity == 'error' ? 'flux-failed/' + event.involvedObject.name : 'flux/' + event.involvedObject.name", true,
                "flux/apps"
            ),
            ("'flux/' + event.reason.lowerAscii()", false, "flux/healthcheckfailed"),
            ("has(event.metadata.summary) ? event.metadata.summary : 'flux/' + event.metadata.revision.split('@')[0]", true, "flux/main"),
            ("'env' in event.metadata ? 'deploy/' + event.metadata.env.upperAscii() : 'deploy'", true, "deploy/PROD"),
            // A current failure's message is the Ready condition's: known.
            ("event.message.contains('timeout') ? 'flux/timeout' : 'flux/other'", false, "flux/timeout"),
        ])
    func contexts(source: String, succeeded: Bool, expected: String) {
        let got = Self.expression(source).context(outcome: succeeded ? Self.success : Self.failure)
        #expect(got == .context(expected))
    }

    @Test(
        "not reproducible: the value depends on what fluxstamp cannot know for a past event",
        arguments: [
            ("'flux/' + event.message", "event.message"),
            ("'flux/' + string(event.timestamp)", "event.timestamp"),
            ("'flux/' + provider.spec.timeout", "provider.spec.timeout"),
            ("size(alert.metadata.labels) > 0 ? 'a' : 'b'", "alert.metadata.labels"),
        ])
    func notReproducible(source: String, path: String) {
        let got = Self.expression(source).context(outcome: Self.success)
        guard case .notReproducible(let why) = got else {
            Issue.record("\(source): \(got)")
            return
        }
        #expect(why.contains(path))
    }

    /// The `commitStatusExpr` of notification-controller's Provider docs (docs/spec/v1beta3/providers.md,
    /// "Custom Commit Status Messages"), which needs the optional types library (`first()`, `value()`).
    static let docsExample =
        "(event.involvedObject.kind + '/' + event.involvedObject.name + '/' + event.metadata.foo + '/' "
        + "+ provider.metadata.uid.split('-').first().value()).lowerAscii()"

    @Test("C: the example of NC's Provider docs gives exactly NC's context, with an Alert eventMetadata key `foo`")
    func docsExampleContext() {
        let expression = Self.expression(Self.docsExample, metadata: ["foo": "Bar", "env": "prod"])
        #expect(expression.context(outcome: Self.success) == .context("kustomization/apps/bar/0c9c2e41"))
        #expect(expression.context(outcome: Self.failure) == .context("kustomization/apps/bar/0c9c2e41"))
        let mixed = Self.expression(
            "event.metadata.env + '/' + provider.metadata.uid.split('-').last().orValue('none') + '/' "
                + "+ [alert.metadata.name].first().or(optional.of('x')).value()")
        #expect(mixed.context(outcome: Self.success) == .context("prod/1f2e3d4c5b6a/status"))
    }

    @Test("the Alert's part of the event metadata unknown: event.metadata is not reproducible")
    func metadataUnknown() {
        let got = Self.expression("'flux/' + event.metadata.env", metadata: nil).context(outcome: Self.success)
        guard case .notReproducible = got else {
            Issue.record("\(got)")
            return
        }
    }

    @Test(
        "reported, never guessed: what NC cannot evaluate, and CEL this evaluator lacks",
        arguments: [
            "'flux/' + event.metadata.missing",  // no such key: NC's evaluation fails too
            "event.involvedObject.name + 1",  // no such overload
            // Flux's docs example without the `foo` key its Alert is meant to add: NC fails on it too.
            Self.docsExample,
            "size(event.involvedObject.name)",  // an int, not a string
            "[event.involvedObject.name].first()",  // an optional, not a string
        ])
    func failed(source: String) {
        let got = Self.expression(source).context(outcome: Self.success)
        guard case .failed = got else {
            Issue.record("\(source): \(got)")
            return
        }
    }

    @Test("through the planner: each fact gets the context its event gives; an unevaluable expression is a skip")
    func planned() {
        let sha5 = String(repeating: "0", count: 39) + "5", sha6 = String(repeating: "0", count: 39) + "6"
        let apps = KustomizationID(namespace: "flux-system", name: "apps")
        func target(_ source: String) -> StatusTarget {
            StatusTarget(
                repository: "github.com/acme/fleet", context: "commitStatusExpr:flux-system/p", forge: .github,
                routes: [AlertRoute(alert: "flux-system/status")], contextExpression: Self.expression(source))
        }
        let observations = [
            Observation(
                kustomization: apps, revision: "main@sha1:\(sha6)", outcome: .failed, reason: "HealthCheckFailed",
                time: Date(timeIntervalSince1970: 2_000), origin: .status, isCurrent: true, eventMessage: .known("timeout")),
            Observation(
                kustomization: apps, revision: "main@sha1:\(sha5)", outcome: .succeeded, reason: "ReconciliationSucceeded",
                time: Date(timeIntervalSince1970: 1_000), origin: .history),
        ]
        let git = ["r": GitFacts(commitTimes: [sha5: Date(timeIntervalSince1970: 1), sha6: Date(timeIntervalSince1970: 2)])]
        let good = Planner.plan(
            PlanInput(
                units: [
                    PlanUnit(
                        kustomization: apps, repository: "r", path: ".", targets: [target("'flux/' + event.severity")],
                        observations: observations)
                ], git: git, existing: [:], policy: PlanPolicy()))
        #expect(good.writes.map { "\($0.status.sha.suffix(1)) \($0.target.context)" } == ["6 flux/error", "5 flux/info"])
        let bad = Planner.plan(
            PlanInput(
                units: [
                    PlanUnit(
                        kustomization: apps, repository: "r", path: ".", targets: [target("'flux/' + event.metadata.nope")],
                        observations: observations)
                ], git: git, existing: [:], policy: PlanPolicy()))
        #expect(bad.writes.isEmpty)
        #expect(bad.skips.map(\.reason.category) == ["commitStatusExpr", "commitStatusExpr"])
    }

    @Test("combined metadata: annotations < Alert eventMetadata < Alert summary, prefixes stripped")
    func combinedMetadata() {
        let metadata = ContextExpression.combinedMetadata(
            objectAnnotations: [
                "event.toolkit.fluxcd.io/summary": "from-annotation", "event.toolkit.fluxcd.io/team": "a",
                "kustomize.toolkit.fluxcd.io/other": "x",
            ],
            alertEventMetadata: ["summary": "from-eventMetadata", "env": "prod"], alertSummary: "from-summary")
        #expect(metadata == ["summary": "from-summary", "team": "a", "env": "prod"])
    }
}
