import FluxstampTesting
import Forges
import Foundation
import Logging
import Reconcile

/// Deployments benchmark: 500 deployments to backfill on the GitHub emulator (10 Kustomizations,
/// each with 50 past revisions, as a ledger would know them), then a rerun. Prints requests per
/// deployment (target ≤ 2.05: one create, one status, reads in bulk) and the rerun's writes
/// (target 0). Write pacing is off: the emulator counts requests, and GitHub's 80 a minute would
/// make the backfill take 13 minutes of waiting that measure nothing.
enum DeploymentsBench {
    struct TargetMissed: Error, CustomStringConvertible { var description: String }

    static let kustomizations = 10
    static let perKustomization = 50

    static func sha(_ k: Int, _ n: Int) -> String {
        let hex = String(k * 1000 + n, radix: 16)
        return String(repeating: "d", count: 40 - hex.count) + hex
    }

    static func run(_ arguments: [String]) async throws {
        let emulator = try await GitHubEmulator.start(.init(token: "bench-token"), repositories: ["acme/fleet"])
        defer { Task { await emulator.shutdown() } }
        let repository = try ForgeRepository.parse(emulator.address("acme/fleet"), kind: .github)
        let endpoint = ForgeEndpoint(
            repository: repository, credential: .token(SecretValue("bench-token")),
            transport: ForgeOptions(writePacing: .unlimited, concurrency: 8, writePacers: WritePacerRegistry()))
        let start = Date(timeIntervalSince1970: 1_795_132_800)
        var commitTimes: [String: Date] = [:]
        var units: [PlanUnit] = []
        for k in 0..<kustomizations {
            let id = KustomizationID(namespace: "flux-system", name: "app-\(k)")
            var observations: [Observation] = []
            for n in 0..<perKustomization {
                let time = start.addingTimeInterval(Double(n) * 3600)
                commitTimes[sha(k, n)] = time.addingTimeInterval(-600)
                observations.append(
                    Observation(
                        kustomization: id, revision: "main@sha1:\(sha(k, n))", outcome: n % 7 == 3 ? .failed : .succeeded,
                        reason: n % 7 == 3 ? "HealthCheckFailed" : "ReconciliationSucceeded", time: time,
                        origin: n == perKustomization - 1 ? .status : .ledger, isCurrent: n == perKustomization - 1,
                        reportedAt: time))
            }
            units.append(
                PlanUnit(
                    kustomization: id, repository: "fleet", path: "./apps",
                    targets: [StatusTarget(repository: repository.description, context: "kustomization/app-\(k)", forge: .github)],
                    observations: observations))
        }
        let git = ["fleet": GitFacts(commitTimes: commitTimes)]
        let total = kustomizations * perKustomization
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        func pass() async -> (DeploymentStage.Outcome, reads: Int, writes: Int, seconds: Double) {
            emulator.core.clearRequests()
            let began = Date()
            let outcome = await DeploymentStage.run(
                DeploymentSettings(forge: .github), cluster: "bench", units: units, git: git, policy: PlanPolicy(),
                endpoints: [repository.description: endpoint], factory: LiveDeploymentForges(), dryRun: false, concurrency: 4,
                logger: logger)
            let seconds = Date().timeIntervalSince(began)
            let requests = emulator.core.requests
            return (outcome, requests.filter { $0.method == "GET" }.count, requests.filter { $0.method == "POST" }.count, seconds)
        }
        let first = await pass()
        var missed: [String] = []
        if !first.0.problems.isEmpty { missed.append("backfill problems: \(first.0.problems.prefix(3))") }
        let perDeployment = Double(first.reads + first.writes) / Double(total)
        print(
            "deployments backfill: \(total) deployments in \(kustomizations) environments, \(first.writes) writes + \(first.reads) reads "
                + "= \(String(format: "%.3f", perDeployment)) requests per deployment (target ≤ 2.05), "
                + "\(String(format: "%.2f", first.seconds)) s (\(Int(Double(total) / max(first.seconds, 0.001))) deployments/s, pacing off)"
        )
        let stored = emulator.deployments.deployments("acme/fleet")
        let active = Dictionary(grouping: stored, by: \.environment).values.map { list in list.filter { $0.state == "success" }.count }
        if stored.count != total { missed.append("\(stored.count) deployments stored, \(total) expected") }
        if active.contains(where: { $0 != 1 }) { missed.append("an environment shows \(active) active deployments, 1 expected") }
        if perDeployment > 2.05 { missed.append("\(perDeployment) requests per deployment, target ≤ 2.05") }
        let second = await pass()
        print(
            "deployments rerun: \(second.writes) writes (target 0), \(second.reads) reads "
                + "(\(String(format: "%.2f", Double(second.reads) / Double(total))) per deployment: the environment lists "
                + "and one latest-status read per deployment), \(second.0.plan.unchanged) unchanged, "
                + "\(String(format: "%.2f", second.seconds)) s")
        if second.writes != 0 { missed.append("rerun wrote \(second.writes), target 0") }
        if !missed.isEmpty { throw TargetMissed(description: missed.joined(separator: "; ")) }
        print("targets met: ≤ 2.05 requests per backfilled deployment, rerun writes 0, one active deployment per environment")
    }
}
