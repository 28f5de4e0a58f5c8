import FluxstampTesting
import Foundation
import Testing

@testable import Kube

@Suite struct CommitStatusRoutingTests {
    /// NC `generateDefaultCommitStatus`: lower(kind/name/first uid segment), namespace not included.
    @Test(arguments: [
        ("Kustomization", "apps", "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a", "kustomization/apps/0c9c2e41"),
        ("Kustomization", "Flux-System", "ABCDEF01-0000", "kustomization/flux-system/abcdef01"),
        ("Kustomization", "x", "nodashes", "kustomization/x/nodashes"),
        ("Kustomization", "x", "", "kustomization/x/"),
    ])
    func defaultID(kind: String, name: String, uid: String, expected: String) {
        #expect(defaultCommitStatusID(kind: kind, name: name, providerUID: uid) == expected)
    }

    static func decode<T: Decodable>(_ yaml: String, as: T.Type) throws -> [T] {
        try JSONValue.documents(fromYAML: yaml).map { try JSONDecoder().decode(T.self, from: Data($0.jsonText.utf8)) }
    }

    /// The fixtures' routing: which Kustomization gets which commit-status ids.
    @Test(arguments: [
        ("flux-system", "flux-system", ["github:kustomization/flux-system/0c9c2e41"]),
        ("apps", "apps", ["github:kustomization/apps/0c9c2e41"]),  // name "*" + matchLabels tier=apps
        ("apps", "podinfo", ["gitlab:kustomization/podinfo/5d3e1f20"]),  // slack alert is not a commit-status provider
        ("infra", "infra-controllers", []),  // provider suspended
        ("team-b", "web", ["gitea:custom id: not reproduced"]),  // commitStatusExpr
        ("team-b", "legacy", []),
    ])
    func fixtureRouting(namespace: String, name: String, expected: [String]) throws {
        let routing = CommitStatusRouting(
            alerts: try Self.decode(KubeFixtures.alerts, as: Alert.self),
            providers: try Self.decode(KubeFixtures.providers, as: Provider.self))
        let kustomization = try #require(
            try Self.decode(KubeFixtures.kustomizations, as: Kustomization.self)
                .first { $0.metadata.namespace == namespace && $0.metadata.name == name })
        #expect(routing.reporters(for: kustomization).map { "\($0.providerType):\($0.contextID)" } == expected)
    }

    static func kustomization(_ ns: String, _ name: String, labels: [String: String] = [:]) -> Kustomization {
        Kustomization(
            metadata: ObjectMeta(name: name, namespace: ns, labels: labels),
            spec: .init(sourceRef: .init(kind: "GitRepository", name: "s", namespace: nil), path: nil, suspend: nil), status: nil)
    }

    static func alert(_ sources: [Alert.EventSource], suspend: Bool = false) -> Alert {
        Alert(
            metadata: ObjectMeta(name: "a", namespace: "home"),
            spec: .init(providerRef: .init(name: "p"), eventSources: sources, eventSeverity: nil, suspend: suspend))
    }

    /// eventSources matching rules, one row per rule.
    @Test(
        arguments: [
            (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "home", [:], false, true),
            // namespace defaults to the Alert's
            (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "other", [:], false, false),
            (Alert.EventSource(kind: "Kustomization", name: "k", namespace: "other", matchLabels: nil), "other", [:], false, true),
            // kind "*" is not a valid kind (CRD enum) and NC compares kinds exactly: no match.
            (Alert.EventSource(kind: "*", name: "*", namespace: nil, matchLabels: nil), "home", [:], false, false),
            (Alert.EventSource(kind: "GitRepository", name: "*", namespace: nil, matchLabels: nil), "home", [:], false, false),
            (Alert.EventSource(kind: "Kustomization", name: "other", namespace: nil, matchLabels: nil), "home", [:], false, false),
            (
                Alert.EventSource(kind: "Kustomization", name: "*", namespace: nil, matchLabels: ["team": "a"]), "home",
                ["team": "a", "x": "y"], false, true
            ),
            (
                Alert.EventSource(kind: "Kustomization", name: "*", namespace: nil, matchLabels: ["team": "a"]), "home", ["team": "b"],
                false, false
            ),
            // alert suspended
            (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "home", [:], true, false),
        ] as [(Alert.EventSource, String, [String: String], Bool, Bool)])
    func eventSourceMatching(source: Alert.EventSource, namespace: String, labels: [String: String], suspended: Bool, matches: Bool) {
        var provider = Provider(
            metadata: ObjectMeta(name: "p", namespace: "home", uid: "deadbeef-1"),
            spec: .init(type: "github", address: nil, secretRef: nil, suspend: nil, commitStatusExpr: nil))
        let routing = CommitStatusRouting(alerts: [Self.alert([source], suspend: suspended)], providers: [provider])
        let reporters = routing.reporters(for: Self.kustomization(namespace, "k", labels: labels))
        #expect(reporters.map(\.contextID) == (matches ? [.default("kustomization/k/deadbeef")] : []))
        provider.spec.type = "msteams"
        #expect(
            CommitStatusRouting(alerts: [Self.alert([source])], providers: [provider]).reporters(
                for: Self.kustomization(namespace, "k", labels: labels)
            ).isEmpty)
    }

    static func alert(
        _ name: String, severity: String?, summary: String? = nil, eventMetadata: [String: String]? = nil,
        inclusion: [String]? = nil, exclusion: [String]? = nil, provider: String = "p"
    ) -> Alert {
        Alert(
            metadata: ObjectMeta(name: name, namespace: "home"),
            spec: .init(
                providerRef: .init(name: provider),
                eventSources: [.init(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil)],
                eventSeverity: severity, suspend: nil, summary: summary, eventMetadata: eventMetadata,
                inclusionList: inclusion, exclusionList: exclusion))
    }

    static let githubProvider = Provider(
        metadata: ObjectMeta(name: "p", namespace: "home", uid: "deadbeef-1"),
        spec: .init(type: "github", address: "https://github.com/a/b", secretRef: nil, suspend: nil, commitStatusExpr: nil))

    /// Issue 9 item 8: one Provider behind an `info` and an `error` Alert gives two routes; the
    /// error-only route drops successes, the info route keeps them.
    @Test func oneProviderTwoAlertsTwoRoutes() {
        let routing = CommitStatusRouting(
            alerts: [Self.alert("errors", severity: "error"), Self.alert("everything", severity: "info")],
            providers: [Self.githubProvider])
        let routes = routing.routes(for: Self.kustomization("home", "k"))
        #expect(routes.map(\.alert) == ["home/errors", "home/everything"])
        #expect(routes.map(\.contextID) == [.default("kustomization/k/deadbeef"), .default("kustomization/k/deadbeef")])
        #expect(routes.map(\.failuresOnly) == [true, false])
        #expect(
            routes.map { $0.admits(failure: false, message: "Reconciliation finished in 1s, next run in 10m0s") }
                == [.filtered(reason: "Alert home/errors has eventSeverity error and the event is a success"), .admitted])
        #expect(routes.map { $0.admits(failure: true, message: "health check failed") } == [.admitted, .admitted])
    }

    /// The summary a route carries: Alert spec.summary beats spec.eventMetadata.summary (RFC 0008).
    @Test(
        arguments: [
            ("rollout", ["summary": "meta"], "rollout"),
            (nil, ["summary": "meta", "env": "prod"], "meta"),
            ("", ["summary": "meta"], "meta"),
            (nil, ["env": "prod"], nil),
            (nil, nil, nil),
        ] as [(String?, [String: String]?, String?)])
    func summaryResolution(summary: String?, metadata: [String: String]?, expected: String?) throws {
        let routing = CommitStatusRouting(
            alerts: [Self.alert("a", severity: nil, summary: summary, eventMetadata: metadata)],
            providers: [Self.githubProvider])
        let route = try #require(routing.routes(for: Self.kustomization("home", "k")).first)
        #expect(route.summary == expected)
        #expect(route.eventMetadata == (metadata ?? [:]))
        #expect(route.eventSeverity == "info")
    }

    /// Inclusion and exclusion lists, as NC applies them to the event message.
    @Test(
        arguments: [
            ([], [], "anything", AlertAdmission.admitted),
            (["^Reconciliation finished"], [], "Reconciliation finished in 1s, next run in 10m0s", .admitted),
            (
                ["^Reconciliation finished"], [], "health check failed",
                .filtered(reason: "no expression of Alert home/a spec.inclusionList matches the message")
            ),
            (["nomatch", "failed"], [], "health check failed", .admitted),
            (
                [], ["dependency '.*' is not ready"], "dependency 'apps/db' is not ready",
                .filtered(reason: "Alert home/a spec.exclusionList expression dependency '.*' is not ready matches the message")
            ),
            (
                ["failed"], ["timeout"], "health check failed: timeout",
                .filtered(reason: "Alert home/a spec.exclusionList expression timeout matches the message")
            ),
            // does not compile: skipped
            (["("], [], "anything", .filtered(reason: "no expression of Alert home/a spec.inclusionList matches the message")),
            (["failed"], [], nil, .dependsOnMessage),
        ] as [([String], [String], String?, AlertAdmission)])
    func messageFilters(inclusion: [String], exclusion: [String], message: String?, expected: AlertAdmission) throws {
        let routing = CommitStatusRouting(
            alerts: [Self.alert("a", severity: "info", inclusion: inclusion, exclusion: exclusion)],
            providers: [Self.githubProvider])
        let route = try #require(routing.routes(for: Self.kustomization("home", "k")).first)
        #expect(route.admits(failure: true, message: message) == expected)
    }

    /// NC's `--no-cross-namespace-refs`: the flux-system Alert no longer routes the apps namespace.
    @Test func noCrossNamespaceRefs() throws {
        let alerts = try Self.decode(KubeFixtures.alerts, as: Alert.self)
        let providers = try Self.decode(KubeFixtures.providers, as: Provider.self)
        let apps = try #require(try Self.decode(KubeFixtures.kustomizations, as: Kustomization.self).first { $0.metadata.name == "apps" })
        let fleet = try #require(
            try Self.decode(KubeFixtures.kustomizations, as: Kustomization.self).first { $0.metadata.name == "flux-system" })
        #expect(CommitStatusRouting(alerts: alerts, providers: providers).reporters(for: apps).count == 1)
        let strict = CommitStatusRouting(alerts: alerts, providers: providers, crossNamespaceRefs: false)
        #expect(strict.reporters(for: apps).isEmpty)
        #expect(strict.reporters(for: fleet).map(\.alert) == ["flux-system/fleet-status"])
    }

    /// The fields the parity work reads, from fixtures that the CRD schema validates.
    @Test func fixtureFieldsDecode() throws {
        let alert = try #require(try Self.decode(KubeFixtures.alerts, as: Alert.self).first { $0.metadata.name == "platform-status" })
        #expect(alert.spec.summary == "platform rollout")
        #expect(alert.spec.eventMetadata == ["env": "staging", "summary": "overridden by spec.summary"])
        #expect(alert.resolvedSummary == "platform rollout")
        #expect(alert.spec.inclusionList == ["^Reconciliation finished", "failed"])
        #expect(alert.spec.exclusionList == ["dependency '.*' is not ready"])
        #expect(alert.spec.eventSources.map(\.name) == ["infra-controllers"])
        let providers = try Self.decode(KubeFixtures.providers, as: Provider.self)
        let paused = try #require(providers.first { $0.metadata.name == "github-paused" })
        #expect(paused.spec.certSecretRef?.name == "platform-ca" && paused.spec.proxySecretRef?.name == "platform-proxy")
        #expect(paused.spec.address == "https://github.com/acme/platform" && paused.spec.type == "github")
        let gitea = try #require(providers.first { $0.metadata.name == "gitea-custom" })
        #expect(gitea.spec.commitStatusExpr == "event.involvedObject.kind + '/' + event.involvedObject.name + '/prod'")
        #expect(providers.first { $0.metadata.name == "github-status" }?.spec.secretRef?.name == "github-token")
        let kustomizations = try Self.decode(KubeFixtures.kustomizations, as: Kustomization.self)
        let legacy = try #require(kustomizations.first { $0.metadata.name == "legacy" })
        #expect(legacy.eventCommitOverride == "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b")
        #expect(legacy.eventSummary == "legacy stack")
        #expect(legacy.spec.interval == "10m" && legacy.intervalText == "10m0s")
        let fleet = try #require(kustomizations.first { $0.metadata.name == "flux-system" })
        #expect(fleet.eventCommitOverride == nil && fleet.eventSummary == nil)
        #expect(fleet.interval == .seconds(600))
        // The route of web carries the Provider's expression and the Alert's (empty) filters.
        let web = try #require(kustomizations.first { $0.metadata.name == "web" })
        let route = try #require(
            CommitStatusRouting(alerts: try Self.decode(KubeFixtures.alerts, as: Alert.self), providers: providers)
                .routes(for: web).first)
        #expect(route.commitStatusExpr == gitea.spec.commitStatusExpr)
        #expect(route.providerUID == "7a1b2c3d-cccc-45d6-8a71-a3b4c5d6e7f8")
        #expect(route.providerObject == gitea && route.alertObject?.metadata.name == "web-status")
        #expect(route.inclusionList.isEmpty && route.summary == nil)
    }

    /// Go durations as Flux writes `spec.interval` and prints it in event messages.
    @Test(arguments: [
        ("10m", "10m0s"), ("10m0s", "10m0s"), ("1h", "1h0m0s"), ("90s", "1m30s"), ("1h30m", "1h30m0s"), ("1.5h", "1h30m0s"),
        ("30s", "30s"), ("1.5s", "1.5s"), ("250ms", "250ms"), ("0", "0s"), ("2h0m5s", "2h0m5s"),
    ])
    func goDurations(text: String, printed: String) throws {
        let duration = try #require(GoDuration.parse(text))
        #expect(GoDuration.format(duration) == printed)
    }

    @Test(arguments: ["", "10", "m", "10x", "1h-5m", "ten minutes"])
    func malformedGoDurations(text: String) {
        #expect(GoDuration.parse(text) == nil)
    }
}
