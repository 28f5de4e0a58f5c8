import FluxstampTesting
import Forges
import Foundation
import Kube
import Logging
import Reconcile
import Testing

/// Where statuses go, as notification-controller v1.9.3 routes them (issue 9, items 3, 4, 5, 6, 8):
/// the observe stage against the Kubernetes API emulator, asserting the forge repositories, contexts
/// and credentials a user's Providers and Alerts lead to.
@Suite struct ParityRoutesTests {
    static let uid = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"

    /// One Provider + Secret + Alert(s) + a Kustomization in `namespace`, observed.
    static func observe(
        provider: String, secret: [String: String], alerts: [String], namespace: String = "flux-system",
        annotations: String = "{}", noCrossNamespaceRefs: Bool = false
    ) async throws -> Observed {
        let kube = try await KubeAPIEmulator.start(fixtures: [])
        defer { Task { await kube.shutdown() } }
        let data = secret.map { "\($0.key): \(Data($0.value.utf8).base64EncodedString())" }.joined(separator: ", ")
        let yaml = """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: fleet, namespace: \(namespace)}
            spec: {interval: 1m0s, url: "https://github.com/acme/fleet", ref: {branch: main}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: forge, namespace: flux-system, uid: \(uid)}
            spec: \(provider)
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: forge-secret, namespace: flux-system}
            type: Opaque
            data: {\(data)}
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: apps, namespace: \(namespace), annotations: \(annotations)}
            spec: {interval: 10m0s, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: fleet}}
            status:
              conditions:
              - {type: Ready, status: "True", reason: ReconciliationSucceeded,
                  message: "Applied", lastTransitionTime: "2026-11-20T10:00:00Z"}
              lastAppliedRevision: main@sha1:\(String(repeating: "a", count: 40))
            """
            + alerts.enumerated().map { i, spec in
                """

                ---
                apiVersion: notification.toolkit.fluxcd.io/v1beta3
                kind: Alert
                metadata: {name: alert-\(i), namespace: flux-system}
                spec: \(spec)
                """
            }.joined()
        try await kube.store.load(yaml: yaml)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("routes-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let kubeconfig = try kube.writeKubeconfig(to: directory)
        let connection = try ConnectionResolver.resolve(
            kubeconfig: kubeconfig.path, context: nil, environment: [:], homeDirectory: "/nonexistent")
        let api = FluxAPI(client: try await KubeClient.connect(connection))
        defer { Task { await api.client.shutdown() } }
        var settings = PipelineSettings(clusterName: "test", cacheDirectory: directory.path)
        settings.noCrossNamespaceRefs = noCrossNamespaceRefs
        return try await Observe.run(
            api, settings: settings, forgeOptions: ForgeOptions(), now: Date(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    static func alert(severity: String, sourceNamespace: String = "flux-system") -> String {
        "{providerRef: {name: forge}, eventSeverity: \(severity), eventSources: "
            + "[{kind: Kustomization, name: apps, namespace: \(sourceNamespace)}]}"
    }

    @Test("5: the Provider Secret's `address` overrides spec.address: statuses go where NC sends them")
    func secretAddressOverrides() async throws {
        let observed = try await Self.observe(
            provider: "{type: github, address: \"https://github.com/acme/fleet\", secretRef: {name: forge-secret}}",
            secret: ["token": "t", "address": " https://github.com/acme/elsewhere \n"], alerts: [Self.alert(severity: "info")])
        #expect(observed.units.first?.targets.map(\.repository) == ["github.com/acme/elsewhere"])
        #expect(Set(observed.forges.keys) == ["github.com/acme/elsewhere"])
    }

    @Test(
        "6: credentials in NC's order",
        arguments: [
            (["token": "t", "githubAppID": "1", "githubAppPrivateKey": "pem"], "github", "token"),
            (["githubAppID": "1", "githubAppInstallationID": "2", "githubAppPrivateKey": "pem"], "github", "app"),
            (["password": "p"], "gitlab", "token"),
            (["username": "u", "password": "p"], "gitlab", "token"),
            (["username": "u", "password": "p"], "github", "basic"),
        ])
    func credentialOrder(secret: [String: String], type: String, expected: String) async throws {
        let address = type == "gitlab" ? "https://gitlab.com/acme/fleet" : "https://github.com/acme/fleet"
        let observed = try await Self.observe(
            provider: "{type: \(type), address: \"\(address)\", secretRef: {name: forge-secret}}",
            secret: secret, alerts: [Self.alert(severity: "info")])
        let credential = try #require(observed.forges.values.first?.credential)
        switch credential {
        case .token: #expect(expected == "token")
        case .gitHubApp: #expect(expected == "app")
        case .basic: #expect(expected == "basic")
        }
    }

    @Test("8: an info and an error Alert on one Provider give one target that posts successes")
    func twoAlertsOneTarget() async throws {
        let observed = try await Self.observe(
            provider: "{type: github, address: \"https://github.com/acme/fleet\", secretRef: {name: forge-secret}}",
            secret: ["token": "t"], alerts: [Self.alert(severity: "error"), Self.alert(severity: "info")])
        let targets = try #require(observed.units.first?.targets)
        #expect(targets.count == 1)
        #expect(targets.first?.routes.count == 2)
        #expect(targets.first?.failuresOnly == false)
    }

    @Test("4: the Alert's inclusionList and exclusionList reach the target's route")
    func filtersFromCluster() async throws {
        let spec =
            "{providerRef: {name: forge}, eventSeverity: info, inclusionList: [timeout], exclusionList: [\"^Dependencies\"], "
            + "eventSources: [{kind: Kustomization, name: apps}]}"
        let observed = try await Self.observe(
            provider: "{type: github, address: \"https://github.com/acme/fleet\", secretRef: {name: forge-secret}}",
            secret: ["token": "t"], alerts: [spec])
        let route = try #require(observed.units.first?.targets.first?.routes.first)
        #expect(route.inclusionList == ["timeout"])
        #expect(route.exclusionList == ["^Dependencies"])
        #expect(route.admits(.failed, message: .known("context deadline exceeded: timeout")) == .posts)
        if case .filtered = route.admits(.failed, message: .known("build failed")) {} else { Issue.record("not filtered") }
    }

    @Test("3: an Alert spec.summary gives the genre fluxcd:<summary>")
    func azureGenreFromAlert() async throws {
        let provider = "{type: azuredevops, address: \"https://dev.azure.com/acme/fleet/_git/fleet\", secretRef: {name: forge-secret}}"
        let spec = "{providerRef: {name: forge}, eventSeverity: info, summary: staging, eventSources: [{kind: Kustomization, name: apps}]}"
        let observed = try await Self.observe(provider: provider, secret: ["token": "t"], alerts: [spec])
        let target = try #require(observed.units.first?.targets.first)
        #expect(target.genre == "fluxcd:staging")
        #expect(target.key == "fluxcd:staging/kustomization/apps/0c9c2e41")
        #expect(observed.units.first?.targets.count == 1, "never a parallel fluxcd status")
        let endpoint = try #require(observed.forges[target.endpoint])
        #expect(endpoint.genre == "fluxcd:staging", "the client writes NC's genre")
        #expect(observed.forges.count == 1)
    }

    @Test("4: --no-cross-namespace-refs: an Alert in flux-system routes nothing from team-a, and says so")
    func crossNamespaceDenied() async throws {
        let provider = "{type: github, address: \"https://github.com/acme/fleet\", secretRef: {name: forge-secret}}"
        let alerts = [Self.alert(severity: "info", sourceNamespace: "team-a")]
        let open = try await Self.observe(provider: provider, secret: ["token": "t"], alerts: alerts, namespace: "team-a")
        #expect(open.units.first?.targets.count == 1)
        let denied = try await Self.observe(
            provider: provider, secret: ["token": "t"], alerts: alerts, namespace: "team-a",
            noCrossNamespaceRefs: true)
        #expect(denied.units.first?.targets.isEmpty == true)
        #expect(denied.problems.contains { $0.message.contains("--no-cross-namespace-refs") })
    }

    @Test("3: Azure DevOps under an event summary: NC's genre is fluxcd:<summary>; never a parallel fluxcd status")
    func azureGenre() async throws {
        let provider = "{type: azuredevops, address: \"https://dev.azure.com/acme/fleet/_git/fleet\", secretRef: {name: forge-secret}}"
        let plain = try await Self.observe(provider: provider, secret: ["token": "t"], alerts: [Self.alert(severity: "info")])
        #expect(plain.units.first?.targets.first?.key == "fluxcd/kustomization/apps/0c9c2e41")
        #expect(plain.forges["dev.azure.com/acme/fleet/_git/fleet"]?.genre == "fluxcd")
        let summarised = try await Self.observe(
            provider: provider, secret: ["token": "t"], alerts: [Self.alert(severity: "info")],
            annotations: "{event.toolkit.fluxcd.io/summary: prod}")
        #expect(summarised.units.first?.targets.map(\.key) == ["fluxcd:prod/kustomization/apps/0c9c2e41"])
        #expect(summarised.forges.map(\.key) == ["dev.azure.com/acme/fleet/_git/fleet [genre fluxcd:prod]"])
        #expect(summarised.forges.values.first?.genre == "fluxcd:prod")
        #expect(!summarised.problems.contains { $0.message.contains("fluxcd:prod") }, "nothing left unwritten to report")
    }
}
