import FluxstampTesting
import Foundation
import Testing

/// A small real world for end-to-end runs of the built binary: a git repository made by git, the
/// Kubernetes API emulator holding Flux objects that name its commits, and the GitHub emulator.
final class SyncWorld: @unchecked Sendable {
    let repo: GitFixture
    let kube: KubeAPIEmulator
    let github: GitHubEmulator
    let directory: URL
    let kubeconfig: URL
    let config: URL
    /// First-parent commits, oldest first.
    var commits: [String]
    /// The Flux objects loaded into the Kubernetes API emulator, as YAML.
    let fixtures: String
    static let providerUID = "0c9c2e41-7b3a-4f5e-9d2a-1f2e3d4c5b6a"
    static let appsContext = "kustomization/apps/0c9c2e41"
    static let infraContext = "kustomization/infra/0c9c2e41"

    /// Builds the repository (`appsCommits` commits under apps/, then a few under infra/) and starts
    /// both emulators with `kustomizations` (YAML built from the commits).
    init(appsCommits: Int = 6, latency: Double = 0, kustomizations: ([String]) -> String) async throws {
        repo = try GitFixture(name: "sync")
        var commits: [String] = []
        commits.append(try repo.commit("layout", ["apps/app.yaml": "v0", "infra/infra.yaml": "v0", "README.md": "fleet"]))
        for i in 1...appsCommits { commits.append(try repo.commit("apps change \(i)", ["apps/app.yaml": "v\(i)"])) }
        commits.append(try repo.commit("infra change", ["infra/infra.yaml": "v1"]))
        commits.append(try repo.commit("docs", ["README.md": "fleet repository"]))
        self.commits = commits
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sync-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        github = try await GitHubEmulator.start(
            ForgeEmulatorConfiguration(token: "e2e-forge-token", latency: latency),
            repositories: ["acme/fleet"])
        kube = try await KubeAPIEmulator.start(fixtures: [])
        fixtures = Self.fluxSetup + "\n---\n" + kustomizations(commits)
        try await kube.store.load(yaml: fixtures)
        kubeconfig = try kube.writeKubeconfig(to: directory)
        config = directory.appendingPathComponent("fluxstamp.yaml")
        try """
        clusterName: e2e
        forges:
          - host: github.com
            apiBaseURL: \(github.baseURL)/api/v3
            writesPerMinute: 0
        repositories:
          - url: https://github.com/acme/fleet
            path: \(repo.path)
        cacheDir: \(directory.path)/cache
        """.write(to: config, atomically: true, encoding: .utf8)
    }

    func stop() async {
        await kube.shutdown()
        await github.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs the built binary with the world's kubeconfig and config, off the cooperative pool.
    func fluxstamp(_ arguments: [String]) async throws -> CommandResult {
        try await runFluxstamp(arguments, kubeconfig: kubeconfig, config: config)
    }

    /// The newest status per context on a commit: context → (state, description), and how many
    /// statuses each context has.
    func statuses(_ sha: String) -> [String: (state: String, description: String, count: Int)] {
        var result: [String: (String, String, Int)] = [:]
        for status in github.statuses(of: sha) {
            if let existing = result[status.context] {
                result[status.context] = (existing.0, existing.1, existing.2 + 1)
            } else {
                result[status.context] = (status.state, status.description, 1)
            }
        }
        return result
    }

    var writes: Int {
        github.core.requests.filter { $0.method == "POST" && $0.path.hasSuffix(".git") == false && $0.path.contains("/statuses/") }.count
    }

    /// A Kustomization object naming commits of the world; each history snapshot was reconciled
    /// once, at its time.
    static func kustomization(
        _ name: String, path: String, ready: (status: String, reason: String)?, applied: String?,
        attempted: String?, history: [(sha: String, status: String, at: String)] = []
    ) -> String {
        kustomization(
            name, path: path, ready: ready, applied: applied, attempted: attempted,
            snapshots: history.map { (sha: $0.sha, status: $0.status, first: $0.at, last: $0.at) })
    }

    /// A Kustomization object whose history snapshots have their own first and last reconcile times.
    static func kustomization(
        _ name: String, path: String, ready: (status: String, reason: String)?, applied: String?,
        attempted: String?, snapshots: [(sha: String, status: String, first: String, last: String)]
    ) -> String {
        var yaml = """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: \(name)
              namespace: flux-system
              uid: \(UUID().uuidString.lowercased())
            spec:
              interval: 10m0s
              path: \(path)
              prune: true
              sourceRef:
                kind: GitRepository
                name: fleet
            status:
              observedGeneration: 1

            """
        if let ready {
            yaml += """
                  conditions:
                  - type: Ready
                    status: "\(ready.status)"
                    reason: \(ready.reason)
                    message: "\(ready.reason)"
                    lastTransitionTime: "2026-11-20T10:00:00Z"

                """
        }
        if let applied { yaml += "  lastAppliedRevision: main@sha1:\(applied)\n" }
        if let attempted { yaml += "  lastAttemptedRevision: main@sha1:\(attempted)\n" }
        if !snapshots.isEmpty {
            yaml += "  history:\n"
            for (i, h) in snapshots.enumerated() {
                yaml += """
                      - digest: sha256:\(String(repeating: String(i), count: 64))
                        firstReconciled: "\(h.first)"
                        lastReconciled: "\(h.last)"
                        lastReconciledDuration: 1.5s
                        lastReconciledStatus: \(h.status)
                        totalReconciliations: 1
                        metadata:
                          revision: main@sha1:\(h.sha)

                    """
            }
        }
        return yaml
    }

    static let fluxSetup = """
        apiVersion: source.toolkit.fluxcd.io/v1
        kind: GitRepository
        metadata:
          name: fleet
          namespace: flux-system
          uid: 7a7a7a7a-0000-4000-8000-000000000001
        spec:
          interval: 1m0s
          url: https://github.com/acme/fleet
          ref:
            branch: main
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Provider
        metadata:
          name: github
          namespace: flux-system
          uid: \(providerUID)
        spec:
          type: github
          address: https://github.com/acme/fleet
          secretRef:
            name: github-token
        ---
        apiVersion: notification.toolkit.fluxcd.io/v1beta3
        kind: Alert
        metadata:
          name: commit-status
          namespace: flux-system
          uid: 7a7a7a7a-0000-4000-8000-000000000002
        spec:
          providerRef:
            name: github
          eventSeverity: info
          eventSources:
          - kind: Kustomization
            name: "*"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: github-token
          namespace: flux-system
        type: Opaque
        data:
          token: \(Data("e2e-forge-token".utf8).base64EncodedString())
        """
}

/// Runs the built binary with a world's kubeconfig and config, off the cooperative pool (the
/// wait for the child would otherwise hold one of its threads).
func runFluxstamp(_ arguments: [String], kubeconfig: URL, config: URL) async throws -> CommandResult {
    let binary = try #require(BuiltProduct.url())
    let all = arguments + ["--kubeconfig", kubeconfig.path, "--config", config.path]
    return try await Sandbox.offPool { try runCommand(binary, all, environment: ["HOME": "/nonexistent"]) }
}
