import FluxstampTesting
import Foundation
import Testing

/// `--shard i/n`: repositories split across the pods of an Indexed Job by a stable hash.
@Suite(.serialized) struct ShardEndToEndTests {
    /// Eight repositories r0…r7, each with a Kustomization k<i> applied at its second commit (a
    /// history snapshot at the first) and a Provider and Alert writing to github.com/acme/r<i>.
    final class World: @unchecked Sendable {
        let repos: [GitFixture]
        let kube: KubeAPIEmulator
        let github: GitHubEmulator
        let directory: URL
        let kubeconfig: URL
        let config: URL

        init() async throws {
            var repos: [GitFixture] = []
            var yaml: [String] = []
            for i in 0..<8 {
                let repo = try GitFixture(name: "r\(i)")
                let first = try repo.commit("one", ["app/app.yaml": "v1"])
                let second = try repo.commit("two", ["app/app.yaml": "v2"])
                repos.append(repo)
                yaml.append(Self.objects(i, first: first, second: second))
            }
            self.repos = repos
            github = try await GitHubEmulator.start(
                ForgeEmulatorConfiguration(token: "shard-token"), repositories: Set((0..<8).map { "acme/r\($0)" }))
            kube = try await KubeAPIEmulator.start(fixtures: [])
            try await kube.store.load(yaml: yaml.joined(separator: "\n---\n"))
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("shard-" + UUID().uuidString)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            kubeconfig = try kube.writeKubeconfig(to: directory)
            config = directory.appendingPathComponent("fluxstamp.yaml")
            var text = """
                clusterName: shards
                forges:
                  - host: github.com
                    apiBaseURL: \(github.baseURL)/api/v3
                    writesPerMinute: 0
                cacheDir: \(directory.path)/cache
                repositories:

                """
            for (i, repo) in repos.enumerated() { text += "  - url: https://github.com/acme/r\(i)\n    path: \(repo.path)\n" }
            try text.write(to: config, atomically: true, encoding: .utf8)
        }

        static func objects(_ i: Int, first: String, second: String) -> String {
            """
            apiVersion: source.toolkit.fluxcd.io/v1
            kind: GitRepository
            metadata: {name: r\(i), namespace: flux-system}
            spec: {interval: 1m0s, url: "https://github.com/acme/r\(i)", ref: {branch: main}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Provider
            metadata: {name: p\(i), namespace: flux-system, uid: 0c9c2e4\(i)-7b3a-4f5e-9d2a-1f2e3d4c5b6a}
            spec: {type: github, address: "https://github.com/acme/r\(i)", secretRef: {name: token}}
            ---
            apiVersion: notification.toolkit.fluxcd.io/v1beta3
            kind: Alert
            metadata: {name: a\(i), namespace: flux-system}
            spec:
              providerRef: {name: p\(i)}
              eventSeverity: info
              eventSources: [{kind: Kustomization, name: k\(i)}]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: token, namespace: flux-system}
            type: Opaque
            data: {token: \(Data("shard-token".utf8).base64EncodedString())}
            ---
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: k\(i), namespace: flux-system}
            spec: {interval: 10m0s, path: ./app, prune: true, sourceRef: {kind: GitRepository, name: r\(i)}}
            status:
              observedGeneration: 1
              conditions:
              - {type: Ready, status: "True", reason: ReconciliationSucceeded, message: applied, lastTransitionTime: "2026-11-20T10:00:00Z"}
              lastAppliedRevision: main@sha1:\(second)
              lastAttemptedRevision: main@sha1:\(second)
              history:
              - digest: sha256:\(String(repeating: "a", count: 64))
                firstReconciled: "2026-11-20T09:00:00Z"
                lastReconciled: "2026-11-20T09:00:00Z"
                lastReconciledDuration: 1s
                lastReconciledStatus: ReconciliationSucceeded
                totalReconciliations: 1
                metadata: {revision: "main@sha1:\(first)"}
            """
        }

        func stop() async {
            await kube.shutdown()
            await github.shutdown()
            try? FileManager.default.removeItem(at: directory)
        }

        /// `fluxstamp plan --json` with `arguments` and `environment`: the planned writes as
        /// `repository sha context`, and the Kustomizations the plan saw.
        func plan(
            _ arguments: [String], environment: [String: String] = [:]
        ) async throws -> (writes: [String], status: Int32, stderr: String) {
            let binary = try #require(BuiltProduct.url())
            let all = ["plan", "--json"] + arguments + ["--kubeconfig", kubeconfig.path, "--config", config.path]
            let env = ["HOME": "/nonexistent"].merging(environment) { a, _ in a }
            // Off the cooperative pool, which also runs the emulators.
            let result = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try runCommand(binary, all, environment: env) }) }
            }
            guard result.status == 0 else { return ([], result.status, result.stderr) }
            let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let writes = (document["writes"] as? [[String: Any]] ?? []).map { "\($0["repository"]!) \($0["sha"]!) \($0["context"]!)" }
            return (writes, result.status, result.stderr)
        }
    }

    @Test("the plans of --shard 0/3, 1/3 and 2/3 together are the unsharded plan, with no write in two shards")
    func unionIsTheWhole() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        let whole = try await world.plan([])
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(whole.writes.count == 16, "two statuses for each of eight repositories")
        var shards: [(writes: [String], status: Int32, stderr: String)] = []
        for i in 0..<3 { shards.append(try await world.plan(["--shard", "\(i)/3"])) }
        for shard in shards { #expect(shard.status == 0, "\(shard.stderr)") }
        let union = shards.flatMap(\.writes)
        #expect(union.sorted() == whole.writes.sorted())
        #expect(Set(union).count == union.count, "no write is planned by two shards")
        #expect(shards.filter { !$0.writes.isEmpty }.count >= 2, "the repositories are actually spread: \(shards.map(\.writes.count))")
        // A repository's statuses stay together in one shard.
        for shard in shards {
            let repositories = Set(shard.writes.map { $0.split(separator: " ")[0] })
            for other in shards where other.writes != shard.writes {
                #expect(repositories.isDisjoint(with: other.writes.map { $0.split(separator: " ")[0] }))
            }
        }
    }

    @Test("an Indexed Job's JOB_COMPLETION_INDEX with JOB_COMPLETIONS picks the same shard as --shard")
    func fromEnvironment() async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        let flag = try await world.plan(["--shard", "1/3"])
        let environment = try await world.plan([], environment: ["JOB_COMPLETION_INDEX": "1", "JOB_COMPLETIONS": "3"])
        #expect(environment.status == 0, "\(environment.stderr)")
        #expect(environment.writes.sorted() == flag.writes.sorted())
    }

    @Test(
        "a shard that cannot be used: one line, exit 2",
        arguments: [
            (["--shard", "3/3"], [String: String](), "--shard '3/3'"),
            (["--shard", "x"], [:], "--shard 'x'"),
            ([], ["JOB_COMPLETION_INDEX": "0"], "JOB_COMPLETIONS is not set"),
        ])
    func badShard(arguments: [String], environment: [String: String], fragment: String) async throws {
        let world = try await World()
        defer { Task { await world.stop() } }
        let result = try await world.plan(arguments, environment: environment)
        #expect(result.status == 2)
        #expect(result.stderr.contains(fragment), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
}
