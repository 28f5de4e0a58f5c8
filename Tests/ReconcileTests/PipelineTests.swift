import FluxstampTesting
import Forges
import Foundation
import Kube
import Logging
import Reconcile
import Testing

/// The whole pipeline in-process: the Kubernetes API emulator, a git repository made by git, and
/// the GitHub emulator, with no binary spawned. What a user would notice: which statuses appear on
/// the forge, that a rerun writes nothing, and how unusable inputs are reported.
@Suite struct PipelineTests {
    static let providerUID = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"
    static let context = "kustomization/apps/0c9c2e41"

    /// A repository with five commits under apps/, one under docs/; a Kustomization applied at the
    /// fifth with a history snapshot at the second.
    struct World {
        let repo: GitFixture
        let kube: KubeAPIEmulator
        let github: GitHubEmulator
        let commits: [String]
        let api: FluxAPI

        static func start(token: String = "pipeline-token") async throws -> World {
            let repo = try GitFixture(name: "pipeline")
            var commits = [try repo.commit("layout", ["apps/app.yaml": "v0", "docs/README.md": "docs"])]
            for i in 1...4 { commits.append(try repo.commit("apps \(i)", ["apps/app.yaml": "v\(i)"])) }
            commits.append(try repo.commit("docs", ["docs/README.md": "more docs"]))
            let github = try await GitHubEmulator.start(ForgeEmulatorConfiguration(token: "pipeline-token"), repositories: ["acme/fleet"])
            let kube = try await KubeAPIEmulator.start(fixtures: [])
            try await kube.store.load(yaml: fluxObjects(applied: commits[4], history: commits[1], token: token))
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let kubeconfig = try kube.writeKubeconfig(to: directory)
            let connection = try ConnectionResolver.resolve(
                kubeconfig: kubeconfig.path, context: nil, environment: [:],
                homeDirectory: "/nonexistent")
            let api = FluxAPI(client: try await KubeClient.connect(connection))
            return World(repo: repo, kube: kube, github: github, commits: commits, api: api)
        }

        func pipeline(intermediate: PlanPolicy.Intermediate = .deployed, repositories: [String: String]? = nil) -> Pipeline {
            let settings = PipelineSettings(
                clusterName: "test", policy: PlanPolicy(intermediate: intermediate),
                cacheDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("cache-" + UUID().uuidString).path,
                repositories: repositories ?? ["https://github.com/acme/fleet": repo.path],
                forges: [.init(host: "github.com", apiBaseURL: github.baseURL + "/api/v3", writesPerMinute: 0)])
            let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            return Pipeline(
                settings: settings, cluster: api,
                repositories: MirrorRepositories(
                    localPaths: settings.repositories, cacheDirectory: settings.cacheDirectory,
                    cluster: api, logger: logger),
                logger: logger)
        }

        func stop() async {
            await api.client.shutdown()
            await kube.shutdown()
            await github.shutdown()
            repo.remove()
        }
    }

    @Test("observe → resolve → plan → apply writes the applied, historic and carried commits; a rerun writes nothing")
    func backfillThenConverged() async throws {
        let world = try await World.start()
        defer { Task { await world.stop() } }
        let first = try await world.pipeline().run(dryRun: false)
        #expect(first.problems.isEmpty, "\(first.problems)")
        #expect(first.failedWrites.isEmpty)
        // Applied (4) and history (1) from the cluster, 2 and 3 carried between them; the docs
        // commit touches no watched path and the layout commit is older than every deployment.
        let written = Set(first.results.map(\.write.status.sha))
        #expect(written == Set([world.commits[1], world.commits[2], world.commits[3], world.commits[4]]))
        #expect(world.github.statuses(of: world.commits[2]).first?.description == "deployed with \(world.commits[4].prefix(7))")
        #expect(world.github.statuses(of: world.commits[4]).first?.state == "success")
        #expect(world.github.statuses(of: world.commits[5]).isEmpty)
        #expect(first.walks >= 1)

        let second = try await world.pipeline().run(dryRun: false)
        #expect(second.plan.writes.isEmpty)
        #expect(second.results.isEmpty)
        #expect(second.plan.unchanged == 4)
    }

    @Test("a repository that cannot be read: its Kustomizations are skipped with that reason and the run reports it")
    func unreadableRepository() async throws {
        let world = try await World.start()
        defer { Task { await world.stop() } }
        let report = try await world.pipeline(repositories: ["https://github.com/acme/fleet": "/nonexistent/fleet"]).run(dryRun: true)
        #expect(report.plan.writes.isEmpty)
        #expect(report.plan.skips.map(\.reason.category) == ["repository unreadable"])
        #expect(report.problems.map(\.stage) == [.resolve])
        #expect(report.problems.first?.description.contains("/nonexistent/fleet") == true)
        #expect(report.hasFailures)
    }

    @Test("a forge that refuses the credential: nothing planned there on a guess, the problem names the repository")
    func forgeRefusesCredential() async throws {
        let world = try await World.start(token: "wrong-token")
        defer { Task { await world.stop() } }
        let report = try await world.pipeline().run(dryRun: false)
        #expect(report.plan.writes.isEmpty)
        #expect(report.results.isEmpty)
        #expect(report.problems.map(\.stage) == [.readForge])
        #expect(report.problems.first?.description.contains("github.com/acme/fleet") == true)
        #expect(!(report.problems.first?.description.contains("wrong-token") ?? true))
        #expect(world.github.statuses(of: world.commits[4]).isEmpty)
    }

    @Test("a cluster whose Kustomizations cannot be listed stops the run before anything is planned")
    func clusterUnreadable() async throws {
        struct Refusing: ClusterReader {
            struct Denied: Error, CustomStringConvertible { var description: String { "kustomizations: forbidden" } }
            func inventory(namespace: String?, selector: String?, events: Bool) async throws -> FluxInventory { throw Denied() }
            func secret(namespace: String, name: String) async throws -> Kube.Secret { throw Denied() }
        }
        let world = try await World.start()
        defer { Task { await world.stop() } }
        var pipeline = world.pipeline()
        pipeline.cluster = Refusing()
        await #expect(throws: Pipeline.Failure.self) { try await pipeline.run(dryRun: false) }
        #expect(world.github.statuses(of: world.commits[4]).isEmpty)
    }

    static func fluxObjects(applied: String, history: String, token: String) -> String {
        """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata: {name: fleet, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-000000000001}
        spec: {interval: 1m0s, url: "https://github.com/acme/fleet", ref: {branch: main}}
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata: {name: github, namespace: flux-system, uid: \(providerUID)}
        spec: {type: github, address: "https://github.com/acme/fleet", secretRef: {name: github-token}}
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata: {name: commit-status, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-000000000002}
        spec:
          providerRef: {name: github}
          eventSeverity: info
          eventSources: [{kind: Kustomization, name: "*"}]
        ---
        apiVersion: v1
        kind: Secret
        metadata: {name: github-token, namespace: flux-system}
        type: Opaque
        data: {token: \(Data(token.utf8).base64EncodedString())}
        ---
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata: {name: apps, namespace: flux-system, uid: 7a7a7a7a-0000-4000-8000-000000000003}
        spec: {interval: 10m0s, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: fleet}}
        status:
          conditions:
          - {type: Ready, status: "True", reason: ReconciliationSucceeded,
              message: "Applied revision", lastTransitionTime: "2026-11-20T10:00:00Z"}
          lastAppliedRevision: main@sha1:\(applied)
          lastAttemptedRevision: main@sha1:\(applied)
          history:
          - digest: sha256:\(String(repeating: "1", count: 64))
            firstReconciled: "2026-11-19T10:00:00Z"
            lastReconciled: "2026-11-19T10:00:00Z"
            lastReconciledDuration: 1.5s
            lastReconciledStatus: ReconciliationSucceeded
            totalReconciliations: 1
            metadata: {revision: main@sha1:\(history)}
        """
    }
}
