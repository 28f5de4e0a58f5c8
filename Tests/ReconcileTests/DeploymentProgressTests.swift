import Forges
import Foundation
import Kube
import Reconcile
import Testing

/// `in_progress` while Flux is still applying a revision, and `--max-writes` over deployment writes.
@Suite("Deployment progress and budget")
struct DeploymentProgressTests {
    typealias Plans = DeploymentPlanTests

    /// A Kustomization whose Ready condition (and optional Reconciling condition) says `ready`.
    static func kustomization(
        ready: (status: String, reason: String, message: String), reconciling: String?, applied: Int?, attempted: Int?
    ) throws -> Kustomization {
        var conditions: [[String: Any]] = [
            [
                "type": "Ready", "status": ready.status, "reason": ready.reason, "message": ready.message,
                "lastTransitionTime": "2026-11-20T11:00:00Z",
            ]
        ]
        if let reconciling {
            conditions.append([
                "type": "Reconciling", "status": "True", "reason": "Progressing", "message": reconciling,
                "lastTransitionTime": "2026-11-20T10:59:00Z",
            ])
        }
        var status: [String: Any] = ["conditions": conditions]
        if let applied { status["lastAppliedRevision"] = "main@sha1:\(Plans.sha(applied))" }
        if let attempted { status["lastAttemptedRevision"] = "main@sha1:\(Plans.sha(attempted))" }
        let object: [String: Any] = [
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": ["name": "apps", "namespace": "flux-system"],
            "spec": ["path": "./apps", "sourceRef": ["kind": "GitRepository", "name": "fleet"]],
            "status": status,
        ]
        return try JSONDecoder().decode(Kustomization.self, from: JSONSerialization.data(withJSONObject: object))
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var name: String
        var ready: (status: String, reason: String, message: String)
        var reconciling: String?
        var applied: Int?
        var attempted: Int?
        /// The commit in progress (nil: none), and since when.
        var expected: Int?
        var since: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "health checks running for a new revision: that revision, since the Reconciling transition",
            ready: ("Unknown", "Progressing", "Reconciliation in progress"),
            reconciling: "Running health checks for revision main@sha1:\(Plans.sha(7)) with a timeout of 5m0s", applied: 6, attempted: 7,
            expected: 7, since: "2026-11-20T10:59:00Z"),
        Row(
            name: "fetching a revision not yet recorded as attempted: the revision the message names",
            ready: ("Unknown", "Progressing", "Reconciliation in progress"),
            reconciling: "Fetching manifests for revision main@sha1:\(Plans.sha(8)) with a timeout of 5m0s", applied: 6, attempted: 6,
            expected: 8, since: "2026-11-20T10:59:00Z"),
        Row(
            name: "no Reconciling condition: the attempted revision, since the Ready transition",
            ready: ("Unknown", "Progressing", "Reconciliation in progress"), reconciling: nil, applied: 6, attempted: 7, expected: 7,
            since: "2026-11-20T11:00:00Z"),
        Row(
            name: "first deployment ever in progress (nothing applied yet)",
            ready: ("Unknown", "Progressing", "Reconciliation in progress"), reconciling: nil, applied: nil, attempted: 7, expected: 7,
            since: "2026-11-20T11:00:00Z"),
        Row(
            name: "the periodic reconcile of the applied revision is not progress",
            ready: ("Unknown", "Progressing", "Reconciliation in progress"),
            reconciling: "Building manifests for revision main@sha1:\(Plans.sha(6)) with a timeout of 5m0s", applied: 6, attempted: 6,
            expected: nil),
        Row(
            name: "Ready=True is not progress", ready: ("True", "ReconciliationSucceeded", "Applied revision"), reconciling: nil,
            applied: 7, attempted: 7, expected: nil),
        Row(
            name: "Ready=False is a failure, not progress", ready: ("False", "HealthCheckFailed", "timeout"), reconciling: nil,
            applied: 6, attempted: 7, expected: nil),
        Row(
            name: "waiting on a dependency is not progress", ready: ("False", "DependencyNotReady", "dependency not ready"),
            reconciling: nil, applied: 6, attempted: 7, expected: nil),
    ]

    @Test("Observe.progress: the revision Flux is applying now", arguments: rows)
    func progress(_ row: Row) throws {
        let k = try Self.kustomization(ready: row.ready, reconciling: row.reconciling, applied: row.applied, attempted: row.attempted)
        let progress = Observe.progress(of: k)
        #expect(progress?.revision == row.expected.map { "main@sha1:\(Plans.sha($0))" })
        #expect(progress?.since.map { $0.formatted(Date.ISO8601FormatStyle()) } == row.since)
    }

    @Test("a revision in progress is the newest deployment, in_progress; the one it replaces stays active")
    func inProgressIsNewest() {
        var unit = Plans.unit()
        unit.progressing = Progress(revision: "main@sha1:\(Plans.sha(7))", since: Plans.at(11))
        let wanted = Plans.desired([unit])[Plans.target] ?? []
        #expect(wanted.map(\.sha) == [Plans.sha(3), Plans.sha(4), Plans.sha(6), Plans.sha(7)])
        #expect(wanted.map(\.state) == [.failure, .inactive, .success, .inProgress])
        let description = wanted.last?.write.description ?? ""
        #expect(description.contains("is applying \(Plans.sha(7).prefix(12)) on prod since 2026-11-20T11:00:00Z"), "\(description)")
        let shown = DeploymentRecord(id: 1, sha: Plans.sha(6), environment: "prod/apps", state: .success)
        let plan = Deployments.compare([Plans.target: wanted], existing: [Plans.target: [shown]], forge: .github)
        #expect(plan.writes.map(\.write.sha) == [Plans.sha(3), Plans.sha(4), Plans.sha(7)])
        #expect(plan.writes.last?.write.autoInactive == false, "an in_progress status must not retire the active deployment")
    }

    @Test("GitLab: a revision in progress is created running; an existing deployment of it is not moved back to running")
    func gitLabRunning() {
        var unit = Plans.unit(forge: .gitlab)
        unit.progressing = Progress(revision: "main@sha1:\(Plans.sha(7))", since: Plans.at(11))
        let wanted = Plans.desired([unit], forge: .gitlab)
        let fresh = Deployments.compare(wanted, existing: [:], forge: .gitlab)
        #expect(fresh.writes.last.map { ($0.write.sha, $0.write.state) } ?? ("", .success) == (Plans.sha(7), .inProgress))
        let shown = [3: DeploymentState.failure, 4: .success, 6: .success, 7: .failure].sorted { $0.key < $1.key }.map {
            DeploymentRecord(id: $0.key, sha: Plans.sha($0.key), environment: "prod/apps", state: $0.value)
        }
        let retried = Deployments.compare(wanted, existing: [Plans.target: shown], forge: .gitlab)
        #expect(retried.writes.isEmpty, "\(retried.writes.map(\.reason))")
    }

    @Test(
        "--max-writes: each environment keeps its oldest writes, the budget dealt to environments in turn",
        arguments: [(0, [Int]()), (1, [3]), (2, [3, 1]), (4, [3, 4, 1, 2]), (5, [3, 4, 6, 1, 2]), (9, [3, 4, 6, 1, 2])])
    func budget(_ budget: Int, _ kept: [Int]) {
        let infra = KustomizationID(namespace: "flux-system", name: "infra")
        let infraUnit = Plans.unit(
            infra,
            observations: [1, 2].map {
                Observation(
                    kustomization: infra, revision: "main@sha1:\(Plans.sha($0))", outcome: .succeeded, reason: "ReconciliationSucceeded",
                    time: Plans.at($0), origin: .history)
            })
        let plan = Deployments.compare(Plans.desired([Plans.unit(), infraUnit]), existing: [:], forge: .github)
        #expect(plan.writes.count == 5)
        let limited = Deployments.limit(plan, to: budget)
        #expect(Set(limited.writes.map(\.write.sha)) == Set(kept.map(Plans.sha)))
        // Within an environment the kept writes are its oldest, in order.
        #expect(limited.writes.filter { $0.target == Plans.target }.map(\.write.sha) == kept.filter { $0 > 2 }.map(Plans.sha))
        #expect(limited.overBudget == 5 - kept.count)
    }
}
