import Audit
import Foundation

/// A small fleet with known times, where the records disagree the way real clusters' do: the
/// history snapshot, the event and the forge status of one deployment give three different
/// times; the ledger saw it only at its next run; a snapshot rotated out is known only from the
/// ledger; a deployment whose revision did not touch the path; a force-pushed live revision.
///
/// Branch `main` of https://github.com/acme/fleet, committer times on 2026-11-01 (UTC):
///
///     c0 00:00 apps   c1 01:00 apps   c2 02:00 infra  c3 03:00 apps   c4 04:00 docs
///     c5 05:00 apps   c6 06:00 apps   c7 07:00 infra  c8 08:00 apps   c9 09:00 apps
///
/// Window: 2026-11-01T02:00Z to 2026-11-02T02:00Z (one day); the report is made at its end.
enum AuditWorld {
    static let base = Date(timeIntervalSince1970: 1_793_491_200)  // 2026-11-01T00:00:00Z
    static func at(_ hours: Double) -> Date { base.addingTimeInterval(hours * 3600) }
    static func sha(_ i: Int) -> String { String(repeating: "c\(i)", count: 20) }
    static let forcePushed = String(repeating: "f", count: 40)
    static let repository = "https://github.com/acme/fleet"
    static let key = BranchKey(repository: "github.com/acme/fleet", branch: "main")
    static let since = at(2), until = at(26)

    /// Paths touched by each commit (indices into `paths`).
    static let paths = ["./apps", "./infra"]
    static let touches: [[Int]] = [[0], [0], [1], [0], [], [0], [0], [1], [0], [0]]

    static var history: BranchHistory {
        let commits = (0...9).reversed().map { i in
            ChainCommit(
                sha: sha(i), committerTime: at(Double(i)),
                details: touches[i].isEmpty
                    ? nil : CommitDetails(sha: sha(i), author: "Dev \(i)", subject: "change \(i)", committerTime: at(Double(i))),
                touched: touches[i])
        }
        return BranchHistory(
            tip: sha(9), paths: paths, commits: commits,
            details: [sha(4): CommitDetails(sha: sha(4), author: "Dev 4", subject: "docs", committerTime: at(4))])
    }

    static func fact(
        _ i: Int, _ outcome: DeploymentOutcome, _ origin: FactOrigin, first: Double?, last: Double? = nil, reason: String? = nil
    ) -> DeploymentFact {
        DeploymentFact(
            revision: origin == .forge ? sha(i) : "main@sha1:\(sha(i))", sha: sha(i), outcome: outcome,
            reason: reason ?? (outcome == .succeeded ? "ReconciliationSucceeded" : "HealthCheckFailed"),
            message: "", origin: origin, firstTime: first.map(at), lastTime: (last ?? first).map(at))
    }

    /// prod/apps: c1 before the window; c3 failed (snapshot 03:19, event 03:20, forge 03:21);
    /// c5 (snapshot 05:40, forge 05:41, ledger 05:45); live c8 (snapshot 08:30–12:00, event 08:31, status now).
    static let prodApps = KustomizationFacts(
        namespace: "flux-system", name: "apps", path: "./apps", repository: repository, branch: "main",
        live: LiveStatus(revision: "main@sha1:\(sha(8))", sha: sha(8), ready: "True", reason: "ReconciliationSucceeded"),
        facts: [
            fact(1, .succeeded, .ledger, first: 1.5, last: 4),
            fact(3, .failed, .history, first: 3 + 19 / 60, last: 3.5),
            fact(3, .failed, .event, first: 3 + 20 / 60),
            fact(3, .failed, .forge, first: 3 + 21 / 60, reason: ""),
            fact(5, .succeeded, .history, first: 5 + 40 / 60, last: 8),
            fact(5, .succeeded, .forge, first: 5 + 41 / 60, reason: ""),
            fact(5, .succeeded, .ledger, first: 5.75, last: 8.25),
            fact(8, .succeeded, .history, first: 8.5, last: 12),
            fact(8, .succeeded, .event, first: 8 + 31 / 60),
            fact(8, .succeeded, .status, first: nil, last: 26),
        ],
        history: key)

    /// prod/infra: c0 before the window, c2 at 02:30, c7 at 07:10, live c8 at 08:20 (changes nothing of infra).
    static let prodInfra = KustomizationFacts(
        namespace: "flux-system", name: "infra", path: "./infra", repository: repository, branch: "main",
        live: LiveStatus(revision: "main@sha1:\(sha(8))", sha: sha(8), ready: "True", reason: "ReconciliationSucceeded"),
        facts: [
            fact(0, .succeeded, .ledger, first: 0 + 10 / 60),
            fact(2, .succeeded, .history, first: 2.5, last: 7),
            fact(7, .succeeded, .history, first: 7 + 10 / 60, last: 8),
            fact(7, .succeeded, .event, first: 7 + 10 / 60),
            fact(8, .succeeded, .event, first: 8 + 20 / 60),
            fact(8, .succeeded, .status, first: nil, last: 26),
        ],
        history: key)

    /// staging/apps: c5 at 06:00 (nothing earlier known), c8 at 08:10, live c9 at 09:30.
    static let stagingApps = KustomizationFacts(
        namespace: "flux-system", name: "apps", path: "./apps", repository: repository, branch: "main",
        live: LiveStatus(revision: "main@sha1:\(sha(9))", sha: sha(9), ready: "True", reason: "ReconciliationSucceeded"),
        facts: [
            fact(5, .succeeded, .history, first: 6),
            fact(8, .succeeded, .history, first: 8 + 10 / 60),
            fact(9, .succeeded, .history, first: 9.5, last: 20),
            fact(9, .succeeded, .status, first: nil, last: 26),
        ],
        history: key)

    /// staging/legacy: suspended, live at a force-pushed commit.
    static let stagingLegacy = KustomizationFacts(
        namespace: "legacy", name: "legacy", path: "./apps", repository: repository, branch: "main", suspended: true,
        live: LiveStatus(revision: "main@sha1:\(forcePushed)", sha: forcePushed, ready: "True", reason: "ReconciliationSucceeded"),
        facts: [
            DeploymentFact(
                revision: "main@sha1:\(forcePushed)", sha: forcePushed, outcome: .succeeded, reason: "ReconciliationSucceeded",
                origin: .history, firstTime: at(3), lastTime: at(20))
        ],
        history: key)

    /// staging/buckets: a Bucket source.
    static let stagingBucket = KustomizationFacts(
        namespace: "flux-system", name: "buckets", path: "./", repository: nil, branch: nil,
        unsupportedSource: "Bucket sources have no git commits",
        live: LiveStatus(revision: "sha256:abc", sha: nil, ready: "True", reason: "ReconciliationSucceeded"), facts: [])

    static var input: AuditInput {
        AuditInput(
            since: since, until: until, now: until,
            clusters: [
                ClusterFacts(name: "prod", kustomizations: [prodInfra, prodApps]),
                ClusterFacts(name: "staging", kustomizations: [stagingApps, stagingLegacy, stagingBucket]),
            ],
            histories: [key: history])
    }
}
