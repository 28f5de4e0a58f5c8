import Forges
import Foundation
import Kube
import Reconcile
import Testing

// Observe-level parity with kustomize-controller v1.9.4 and notification-controller v1.9.3: which
// facts a Kustomization's status gives, and at which commit (issue 9, items 1, 2 and 4's commit
// annotation). One row per situation a user would recognise.

private func sha(_ n: Int) -> String { String(repeating: "0", count: 32) + String(format: "%08x", n) }
private func rev(_ n: Int) -> String { "main@sha1:\(sha(n))" }
private let now = Date(timeIntervalSince1970: 1_800_000_000)

/// A Kustomization as the API server returns it.
private func kustomization(
    ready: (status: String, reason: String, message: String)?, applied: Int?, attempted: Int?,
    annotations: [String: String] = [:], history: [(Int, String)] = []
) throws -> Kustomization {
    var status: [String: Any] = [:]
    if let ready {
        status["conditions"] = [
            [
                "type": "Ready", "status": ready.status, "reason": ready.reason, "message": ready.message,
                "lastTransitionTime": "2027-01-15T08:00:00Z",
            ]
        ]
    }
    if let applied { status["lastAppliedRevision"] = rev(applied) }
    if let attempted { status["lastAttemptedRevision"] = rev(attempted) }
    if !history.isEmpty {
        status["history"] = history.enumerated().map { i, entry in
            [
                "digest": "sha256:\(i)", "firstReconciled": "2027-01-14T08:00:00Z", "lastReconciled": "2027-01-14T0\(i):00:00Z",
                "lastReconciledStatus": entry.1, "totalReconciliations": 1, "metadata": ["revision": rev(entry.0)],
            ] as [String: Any]
        }
    }
    let object: [String: Any] = [
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": ["name": "apps", "namespace": "flux-system", "annotations": annotations],
        "spec": ["path": "./apps", "sourceRef": ["kind": "GitRepository", "name": "fleet"]],
        "status": status,
    ]
    return try JSONDecoder().decode(Kustomization.self, from: JSONSerialization.data(withJSONObject: object))
}

/// One observe row: the Kustomization's status and the source's current revision, and the facts
/// (commit, outcome, current?) that must come out.
struct ObserveRow: CustomTestStringConvertible, Sendable {
    var name: String
    var ready: (status: String, reason: String, message: String)?
    var applied: Int?
    var attempted: Int?
    var source: Int?
    var annotations: [String: String] = [:]
    var history: [(Int, String)] = []
    /// "n succeeded current" / "n failed" …, in any order.
    var facts: Set<String>

    var testDescription: String { name }
}

private let pathNotFound = "kustomization path not found: stat /tmp/kustomization-1/apps: no such file or directory"

private let observeRows: [ObserveRow] = [
    ObserveRow(
        name: "1: ArtifactFailed (path not found at the new revision) fails the NEW source revision, not the live one",
        ready: ("False", "ArtifactFailed", pathNotFound), applied: 5, attempted: 5, source: 6,
        facts: ["6 failed current", "5 succeeded"]),
    ObserveRow(
        name: "1: ArtifactFailed 'Source artifact not found' emits no event: nothing new, the live commit stays green",
        ready: ("False", "ArtifactFailed", "Source artifact not found, retrying in 30s"), applied: 5, attempted: 5, source: 6,
        facts: ["5 succeeded"]),
    ObserveRow(
        name: "1: ArtifactFailed 'Source is not ready, artifact not found' emits no event",
        ready: ("False", "ArtifactFailed", "Source is not ready, artifact not found, retrying in 30s"), applied: 5, attempted: 5,
        source: 6, facts: ["5 succeeded"]),
    ObserveRow(
        name: "1: ArtifactFailed for an unreadable source object emits no event",
        ready: ("False", "ArtifactFailed", "unable to get source 'flux-system/fleet': timeout"), applied: 5, attempted: 5,
        source: 6, facts: ["5 succeeded"]),
    ObserveRow(
        name: "1: a download failure of the revision that is deployed never paints the live commit red",
        ready: ("False", "ArtifactFailed", "failed to download archive: GET 503"), applied: 5, attempted: 5, source: 5,
        facts: ["5 succeeded"]),
    ObserveRow(
        name: "1: ArtifactFailed with no source revision known: nothing (nothing on a guess)",
        ready: ("False", "ArtifactFailed", pathNotFound), applied: 5, attempted: 5, source: nil,
        facts: ["5 succeeded"]),
    ObserveRow(
        name: "2: DirCreationFailed is an error event at the source revision",
        ready: ("False", "DirCreationFailed", "tmp dir error: mkdir: no space left on device"), applied: 5, attempted: 5,
        source: 7, facts: ["7 failed current", "5 succeeded"]),
    ObserveRow(
        name: "2: InvalidCELExpression from a dependsOn readyExpr is an error event at the source revision",
        ready: (
            "False", "InvalidCELExpression",
            "Reconciliation failed terminally due to configuration error: failed to evaluate dependency infra: undeclared reference"
        ),
        applied: 5, attempted: 5, source: 7, facts: ["7 failed current", "5 succeeded"]),
    ObserveRow(
        name: "2: InvalidCELExpression from healthCheckExprs: the event has no revision, NC posts nothing",
        ready: ("False", "InvalidCELExpression", "Reconciliation failed terminally due to configuration error: failed to parse"),
        applied: 5, attempted: 5, source: 7, facts: ["5 succeeded"]),
    ObserveRow(
        name: "BuildFailed is recorded after the attempt: it fails the attempted revision",
        ready: ("False", "BuildFailed", "kustomize build failed"), applied: 5, attempted: 6, source: 6,
        facts: ["6 failed current", "5 succeeded"]),
    ObserveRow(
        name: "DependencyNotReady adds nothing new",
        ready: ("False", "DependencyNotReady", "dependency 'flux-system/infra' is not ready"), applied: 5, attempted: 5, source: 6,
        facts: ["5 succeeded"]),
    ObserveRow(
        name: "4: event.toolkit.fluxcd.io/commit moves the current word to that commit; past facts are dropped",
        ready: ("True", "ReconciliationSucceeded", "Applied revision: main@sha1:…"), applied: 5, attempted: 5, source: 5,
        annotations: ["event.toolkit.fluxcd.io/commit": sha(9)], history: [(4, "ReconciliationSucceeded")],
        facts: ["9 succeeded current"]),
    ObserveRow(
        name: "history snapshots keep their outcome",
        ready: ("True", "ReconciliationSucceeded", "Applied revision"), applied: 5, attempted: 5, source: 5,
        history: [(5, "ReconciliationSucceeded"), (4, "HealthCheckFailed")],
        facts: ["5 succeeded current", "5 succeeded", "4 failed"]),
]

@Suite struct ParityObserveTests {
    @Test("observations per kustomize-controller's status paths", arguments: observeRows)
    func observe(_ row: ObserveRow) throws {
        let k = try kustomization(
            ready: row.ready, applied: row.applied, attempted: row.attempted, annotations: row.annotations,
            history: row.history)
        let got = Observe.observations(of: k, sourceRevision: row.source.map(rev), now: now)
        let facts = got.map { o -> String in
            let n = Int(o.revision.suffix(8), radix: 16) ?? -1
            return "\(n) \(o.outcome.rawValue)\(o.isCurrent ? " current" : "")"
        }
        #expect(Set(facts) == row.facts)
    }

    @Test("1: a green live commit is never painted red by a source-side failure, through the planner")
    func liveCommitStaysGreen() throws {
        let forge = "github.com/acme/fleet", context = "kustomization/apps/0c9c2e41"
        for (reason, message) in [
            ("ArtifactFailed", pathNotFound), ("ArtifactFailed", "Source artifact not found, retrying in 30s"),
            ("ArtifactFailed", "failed to download archive: GET 503"), ("DirCreationFailed", "tmp dir error"),
        ] {
            let k = try kustomization(ready: ("False", reason, message), applied: 5, attempted: 5)
            let observations =
                Observe.observations(of: k, sourceRevision: rev(5), now: now)
                + Observe.observations(of: k, sourceRevision: rev(6), now: now).filter { $0.isCurrent }
            let unit = PlanUnit(
                kustomization: KustomizationID(namespace: "flux-system", name: "apps"), repository: "r", path: "./apps",
                targets: [StatusTarget(repository: forge, context: context, forge: .github)], observations: observations)
            let live = CommitStatus(
                sha: sha(5), context: context, state: .succeeded, description: "reconciliation succeeded",
                createdAt: now.addingTimeInterval(-3600), forgeKey: context)
            let plan = Planner.plan(
                PlanInput(
                    units: [unit], git: ["r": GitFacts(commitTimes: [sha(5): now, sha(6): now])],
                    existing: [forge: [sha(5): [live]]], policy: PlanPolicy()))
            #expect(!plan.writes.contains { $0.status.sha == sha(5) }, "\(reason): \(message)")
        }
    }
}
