import FluxstampTesting
import Foundation
import Testing

/// A GitLab twin of `SyncWorld`: the same repository and Kubernetes objects, a GitLab Provider and
/// the GitLab emulator.
final class GitLabDeploymentWorld: @unchecked Sendable {
    let repo: GitFixture
    let kube: KubeAPIEmulator
    let gitlab: GitLabEmulator
    let directory: URL
    let kubeconfig: URL
    let config: URL
    let commits: [String]

    init(kustomizations: ([String]) -> String) async throws {
        repo = try GitFixture(name: "deploy-gitlab")
        var commits = [try repo.commit("layout", ["apps/app.yaml": "v0", "infra/infra.yaml": "v0"])]
        for i in 1...6 { commits.append(try repo.commit("apps change \(i)", ["apps/app.yaml": "v\(i)"])) }
        commits.append(try repo.commit("infra change", ["infra/infra.yaml": "v1"]))
        self.commits = commits
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        gitlab = try await GitLabEmulator.start(ForgeEmulatorConfiguration(token: "e2e-gitlab-token"), projects: ["acme/fleet"])
        kube = try await KubeAPIEmulator.start(fixtures: [])
        let setup = SyncWorld.fluxSetup
            .replacingOccurrences(of: "https://github.com/acme/fleet", with: "https://gitlab.com/acme/fleet")
            .replacingOccurrences(of: "type: github", with: "type: gitlab")
            .replacingOccurrences(
                of: Data("e2e-forge-token".utf8).base64EncodedString(), with: Data("e2e-gitlab-token".utf8).base64EncodedString())
        try await kube.store.load(yaml: setup + "\n---\n" + kustomizations(commits))
        kubeconfig = try kube.writeKubeconfig(to: directory)
        config = directory.appendingPathComponent("fluxstamp.yaml")
        try """
        clusterName: e2e
        deployments: gitlab
        forges:
          - host: gitlab.com
            apiBaseURL: \(gitlab.baseURL)/api/v4
            writesPerMinute: 0
        repositories:
          - url: https://gitlab.com/acme/fleet
            path: \(repo.path)
        cacheDir: \(directory.path)/cache
        """.write(to: config, atomically: true, encoding: .utf8)
    }

    func stop() async {
        await kube.shutdown()
        await gitlab.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    func fluxstamp(_ arguments: [String]) async throws -> CommandResult {
        try await runFluxstamp(arguments, kubeconfig: kubeconfig, config: config)
    }

    var deploymentWrites: Int {
        gitlab.core.requests.filter { ($0.method == "POST" || $0.method == "PUT") && $0.path.contains("/deployments") }.count
    }
}

extension SyncWorld {
    /// Deployment creations and status posts sent to the GitHub emulator.
    var deploymentWrites: Int { github.core.requests.filter { $0.method == "POST" && $0.path.contains("/deployments") }.count }

    /// The deployments of an environment, oldest first: (sha, latest state).
    func deployments(_ environment: String) -> [EmulatedDeployment] {
        github.deployments.deployments("acme/fleet", environment: environment)
    }
}

/// `--deployments` end to end: the built binary, the Kubernetes API emulator over HTTPS, a real git
/// repository and the forge emulators; assertions are on the deployments the forge shows.
@Suite(.serialized) struct DeploymentsEndToEndTests {
    @Test(
        "an outage backfill creates the missing deployments oldest first, with the right states and the true times; a rerun writes nothing")
    func gitHubBackfill() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let c = world.commits

        let plan = try await world.fluxstamp(["plan", "--json", "--deployments", "github"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let planned = try #require(document["deployments"] as? [[String: Any]])
        #expect(planned.map { $0["sha"] as? String } == [c[3], c[4], c[6], c[0], c[7]])
        #expect(planned.map { $0["finalState"] as? String } == ["failure", "inactive", "success", "success", "failure"])
        #expect((document["summary"] as? [String: Any])?["deploymentsPlanned"] as? Int == 5)
        #expect(world.deploymentWrites == 0, "plan never writes")
        let table = try await world.fluxstamp(["plan", "--deployments", "github"])
        #expect(table.stdout.contains("deployments:\n  github.com/acme/fleet environment e2e/apps"), "\(table.stdout)")
        #expect(table.stdout.contains("success → inactive"), "\(table.stdout)")

        let sync = try await world.fluxstamp(["sync", "--deployments", "github"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("written 5"), "the commit statuses are written too")
        let apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[3], c[4], c[6]], "created oldest first")
        #expect(apps.map(\.state) == ["failure", "inactive", "success"])
        #expect(apps.map { $0.payloadValue("firstSeen") } == ["2026-11-20T08:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T10:00:00Z"])
        #expect(apps.allSatisfy { $0.payloadValue("revision")?.hasSuffix($0.sha) == true })
        #expect(apps[1].description.contains("2026-11-20T09:00:00Z"), "the true time is in the description too")
        #expect(apps.allSatisfy { !$0.productionEnvironment })
        let infra = world.deployments("e2e/infra")
        #expect(infra.map(\.sha) == [c[0], c[7]])
        #expect(infra.map(\.state) == ["success", "failure"])
        #expect(world.deploymentWrites == 10, "one create and one status per deployment")

        let again = try await world.fluxstamp(["sync", "--deployments", "github"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("deployments: planned 0, written 0, unchanged 5"), "\(again.stderr)")
        #expect(world.deploymentWrites == 10)
        #expect(world.github.deployments.deployments("acme/fleet").count == 5)
    }

    @Test("a deployment replaced by one the forge already shows is created inactive; --statuses=false writes no commit status")
    func replacedIsInactive() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let c = world.commits
        world.github.deployments.seed("acme/fleet", sha: c[6], environment: "e2e/apps", state: "success", at: Date())
        let sync = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[6], c[3], c[4]])
        #expect(apps.map(\.state) == ["success", "failure", "inactive"])
        #expect(apps[0].statuses.count == 1, "the active deployment is left alone")
        #expect(world.writes == 0, "no commit statuses with --statuses=false")
    }

    @Test("a failed deployment followed by a recovery shows both")
    func failureThenRecovery() async throws {
        let world = try await SyncWorld { c in
            SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                history: [
                    (c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z"), (c[5], "HealthCheckFailed", "2026-11-20T09:30:00Z"),
                ])
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let sync = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false"])
        #expect(sync.status == 0, "\(sync.stderr)")
        let apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[5], c[6]])
        #expect(apps.map(\.state) == ["failure", "success"])
        #expect(apps[0].description.contains("failed to apply"))
    }

    @Test("two clusters get two environments; a Kustomization with no deployment history creates nothing")
    func twoClusters() async throws {
        let world = try await SyncWorld { c in
            [
                SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                    history: [(c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z")]),
                SyncWorld.kustomization("new", path: "./infra", ready: nil, applied: nil, attempted: nil),
            ].joined(separator: "\n---\n")
        }
        defer { Task { await world.stop() } }
        for cluster in ["eu", "us"] {
            let sync = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false", "--cluster-name", cluster])
            #expect(sync.status == 0, "\(sync.stderr)")
        }
        #expect(world.github.deployments.environments("acme/fleet") == ["eu/apps", "us/apps"])
        #expect(world.deployments("eu/apps").map(\.state) == ["success"])
        #expect(world.deployments("us/apps").first?.payloadValue("cluster") == "us")
    }

    @Test("with a ledger, deployments Flux's history no longer lists are backfilled from what earlier runs recorded")
    func fromLedger() async throws {
        let world = try await SyncWorld { c in
            SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                history: [
                    (c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z"), (c[4], "ReconciliationSucceeded", "2026-11-20T09:00:00Z"),
                    (c[3], "HealthCheckFailed", "2026-11-20T08:00:00Z"),
                ])
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let ledger = "sqlite:\(world.directory.path)/ledger.db"
        let first = try await world.fluxstamp(["sync", "--ledger", ledger])
        #expect(first.status == 0, "\(first.stderr)")
        // Flux's history rolls over: only the newest snapshot is left.
        try await world.kube.store.load(
            yaml: SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                history: [(c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z")]))
        let sync = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false", "--ledger", ledger])
        #expect(sync.status == 0, "\(sync.stderr)")
        let apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[3], c[4], c[6]], "\(sync.stderr)")
        #expect(apps.map(\.state) == ["failure", "inactive", "success"])
        #expect(apps[1].payloadValue("firstSeen") == "2026-11-20T09:00:00Z")
    }

    @Test("while Flux is still progressing the newest deployment is in_progress; when it finishes it is success; a rerun writes nothing")
    func inProgress() async throws {
        let world = try await SyncWorld { c in
            SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("Unknown", "Progressing"), applied: c[5], attempted: c[6],
                history: [(c[5], "ReconciliationSucceeded", "2026-11-20T09:00:00Z")])
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let first = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false"])
        #expect(first.status == 0, "\(first.stderr)")
        var apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[5], c[6]])
        #expect(apps.map(\.state) == ["success", "in_progress"], "the running version stays active until Flux says the new one is healthy")
        #expect(apps[1].description.contains("is applying \(c[6].prefix(12)) on e2e since 2026-11-20T10:00:00Z"), "\(apps[1].description)")

        // kustomize-controller finishes: Ready=True at c6.
        try await world.kube.store.load(
            yaml: SyncWorld.kustomization(
                "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                history: [
                    (c[6], "ReconciliationSucceeded", "2026-11-20T10:05:00Z"), (c[5], "ReconciliationSucceeded", "2026-11-20T09:00:00Z"),
                ]))
        let second = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false"])
        #expect(second.status == 0, "\(second.stderr)")
        apps = world.deployments("e2e/apps")
        #expect(apps.map(\.sha) == [c[5], c[6]], "no second deployment of c6")
        #expect(apps.map(\.state) == ["inactive", "success"])
        #expect(world.deploymentWrites == 6, "two creates with their statuses, then one new status each")
        let third = try await world.fluxstamp(["sync", "--deployments", "github", "--statuses=false"])
        #expect(third.stderr.contains("deployments: planned 0, written 0, unchanged 2"), "\(third.stderr)")
        #expect(world.deploymentWrites == 6)
    }

    @Test("--max-writes is one budget for statuses and deployments; the JSON summary carries the deployment figures")
    func maxWrites() async throws {
        let world = try await SyncEndToEndTests.outageWorld()
        defer { Task { await world.stop() } }
        let c = world.commits
        let plan = try await world.fluxstamp(["plan", "--deployments", "github", "--max-writes", "7"])
        #expect(plan.stdout.contains("3 more deployment writes are over --max-writes"), "\(plan.stdout)")

        let sync = try await world.fluxstamp(["sync", "--deployments", "github", "--max-writes", "7", "--log-format", "json"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.writes == 5, "the five status writes come first")
        // The two writes left go one to each environment, oldest first.
        #expect(world.deployments("e2e/apps").map(\.sha) == [c[3]])
        #expect(world.deployments("e2e/infra").map(\.sha) == [c[0]])
        let lines = sync.stderr.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let summary = try #require(lines.first { ($0["msg"] as? String)?.contains("; deployments: planned") == true }, "\(sync.stderr)")
        #expect(summary["written"] as? Int == 5)
        #expect(summary["deploymentsPlanned"] as? Int == 2)
        #expect(summary["deploymentsWritten"] as? Int == 2)
        #expect(summary["deploymentsFailed"] as? Int == 0)
        #expect(summary["deploymentsUnchanged"] as? Int == 0)
        #expect(summary["deploymentsOverBudget"] as? Int == 3)
        #expect((summary["msg"] as? String)?.hasSuffix("deployments: planned 2, written 2, unchanged 0, over --max-writes 3") == true)

        // The next run writes the rest, still oldest first: the forge ends as if nothing had been held back.
        let rest = try await world.fluxstamp(["sync", "--deployments", "github"])
        #expect(rest.stderr.contains("deployments: planned 3, written 3, unchanged 2"), "\(rest.stderr)")
        #expect(world.deployments("e2e/apps").map(\.sha) == [c[3], c[4], c[6]])
        #expect(world.deployments("e2e/apps").map(\.state) == ["failure", "inactive", "success"])
        #expect(world.deployments("e2e/infra").map(\.state) == ["success", "failure"])
        let after = try await world.fluxstamp(["plan", "--deployments", "github"])
        #expect(after.stdout.contains("commit statuses: nothing to write: the forge already shows what Flux deployed"), "\(after.stdout)")
        #expect(after.stdout.contains("nothing to write: 5 deployments in 2 environments already shown"), "\(after.stdout)")
    }

    @Test("GitLab: environments created on demand, deployments oldest first with their statuses, a rerun writes nothing")
    func gitLabBackfill() async throws {
        let world = try await GitLabDeploymentWorld { c in
            [
                SyncWorld.kustomization(
                    "apps", path: "./apps", ready: ("True", "ReconciliationSucceeded"), applied: c[6], attempted: c[6],
                    history: [
                        (c[6], "ReconciliationSucceeded", "2026-11-20T10:00:00Z"),
                        (c[4], "ReconciliationSucceeded", "2026-11-20T09:00:00Z"),
                        (c[3], "HealthCheckFailed", "2026-11-20T08:00:00Z"),
                    ]),
                SyncWorld.kustomization("infra", path: "./infra", ready: ("False", "HealthCheckFailed"), applied: c[0], attempted: c[7]),
            ].joined(separator: "\n---\n")
        }
        defer { Task { await world.stop() } }
        let c = world.commits
        let sync = try await world.fluxstamp(["sync", "--statuses=false"])
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(world.gitlab.deployments.environments("acme/fleet") == ["e2e/apps", "e2e/infra"])
        let apps = world.gitlab.deployments.deployments("acme/fleet", environment: "e2e/apps")
        #expect(apps.map(\.sha) == [c[3], c[4], c[6]], "\(sync.stderr)")
        #expect(apps.map(\.status) == ["failed", "success", "success"])
        #expect(apps.allSatisfy { $0.ref == "main" && !$0.tag })
        #expect(world.gitlab.deployments.deployments("acme/fleet", environment: "e2e/infra").map(\.status) == ["success", "failed"])
        #expect(world.deploymentWrites == 5, "GitLab sets the status at creation: one request per deployment")

        let again = try await world.fluxstamp(["sync", "--statuses=false"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(world.deploymentWrites == 5)
    }
}
