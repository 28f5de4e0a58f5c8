import Foundation
import FluxstampTesting
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
        ("apps", "apps", ["github:kustomization/apps/0c9c2e41"]),           // name "*" + matchLabels tier=apps
        ("apps", "podinfo", ["gitlab:kustomization/podinfo/5d3e1f20"]),       // slack alert is not a commit-status provider
        ("infra", "infra-controllers", []),                                   // provider suspended
        ("team-b", "web", ["gitea:custom id: not reproduced"]),               // commitStatusExpr
        ("team-b", "legacy", []),
    ])
    func fixtureRouting(namespace: String, name: String, expected: [String]) throws {
        let routing = CommitStatusRouting(alerts: try Self.decode(KubeFixtures.alerts, as: Alert.self),
                                          providers: try Self.decode(KubeFixtures.providers, as: Provider.self))
        let kustomization = try #require(try Self.decode(KubeFixtures.kustomizations, as: Kustomization.self)
            .first { $0.metadata.namespace == namespace && $0.metadata.name == name })
        #expect(routing.reporters(for: kustomization).map { "\($0.providerType):\($0.contextID)" } == expected)
    }

    static func kustomization(_ ns: String, _ name: String, labels: [String: String] = [:]) -> Kustomization {
        Kustomization(metadata: ObjectMeta(name: name, namespace: ns, labels: labels),
                      spec: .init(sourceRef: .init(kind: "GitRepository", name: "s", namespace: nil), path: nil, suspend: nil), status: nil)
    }

    static func alert(_ sources: [Alert.EventSource], suspend: Bool = false) -> Alert {
        Alert(metadata: ObjectMeta(name: "a", namespace: "home"),
              spec: .init(providerRef: .init(name: "p"), eventSources: sources, eventSeverity: nil, suspend: suspend))
    }

    /// eventSources matching rules, one row per rule.
    @Test(arguments: [
        (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "home", [:], false, true),
        (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "other", [:], false, false),   // namespace defaults to the Alert's
        (Alert.EventSource(kind: "Kustomization", name: "k", namespace: "other", matchLabels: nil), "other", [:], false, true),
        (Alert.EventSource(kind: "*", name: "*", namespace: nil, matchLabels: nil), "home", [:], false, true),
        (Alert.EventSource(kind: "GitRepository", name: "*", namespace: nil, matchLabels: nil), "home", [:], false, false),
        (Alert.EventSource(kind: "Kustomization", name: "other", namespace: nil, matchLabels: nil), "home", [:], false, false),
        (Alert.EventSource(kind: "Kustomization", name: "*", namespace: nil, matchLabels: ["team": "a"]), "home", ["team": "a", "x": "y"], false, true),
        (Alert.EventSource(kind: "Kustomization", name: "*", namespace: nil, matchLabels: ["team": "a"]), "home", ["team": "b"], false, false),
        (Alert.EventSource(kind: "Kustomization", name: "k", namespace: nil, matchLabels: nil), "home", [:], true, false),     // alert suspended
    ] as [(Alert.EventSource, String, [String: String], Bool, Bool)])
    func eventSourceMatching(source: Alert.EventSource, namespace: String, labels: [String: String], suspended: Bool, matches: Bool) {
        var provider = Provider(metadata: ObjectMeta(name: "p", namespace: "home", uid: "deadbeef-1"),
                                spec: .init(type: "github", address: nil, secretRef: nil, suspend: nil, commitStatusExpr: nil))
        let routing = CommitStatusRouting(alerts: [Self.alert([source], suspend: suspended)], providers: [provider])
        let reporters = routing.reporters(for: Self.kustomization(namespace, "k", labels: labels))
        #expect(reporters.map(\.contextID) == (matches ? [.default("kustomization/k/deadbeef")] : []))
        provider.spec.type = "msteams"
        #expect(CommitStatusRouting(alerts: [Self.alert([source])], providers: [provider]).reporters(for: Self.kustomization(namespace, "k", labels: labels)).isEmpty)
    }
}
