import Forges
import Foundation
import Reconcile
import Testing

/// Commit n of a fake history: sha and committer time (a minute apart).
private func sha(_ n: Int) -> String { String(repeating: "0", count: 32) + String(format: "%08x", n) }
private let base = Date(timeIntervalSince1970: 1_800_000_000)
private func at(_ minute: Int) -> Date { base.addingTimeInterval(Double(minute) * 60) }
private let now = at(10_000)
private let repo = "https://github.com/acme/fleet"
private let forge = "github.com/acme/fleet"

private func target(_ context: String) -> StatusTarget {
    StatusTarget(repository: forge, context: context, forge: .github)
}

private let apps = KustomizationID(namespace: "flux-system", name: "apps")
private let appsContext = "kustomization/apps/0c9c2e41"

private func observed(
    _ n: Int, _ outcome: Outcome = .succeeded, reason: String? = nil, at time: Date?,
    origin: ObservationOrigin = .history, current: Bool = false, reported: Date? = nil,
    message: EventMessage? = nil, k: KustomizationID = apps
) -> Observation {
    Observation(
        kustomization: k, revision: "main@sha1:\(sha(n))", outcome: outcome,
        reason: reason ?? (outcome == .succeeded ? "ReconciliationSucceeded" : "HealthCheckFailed"),
        time: time, origin: origin, isCurrent: current, reportedAt: reported, eventMessage: message)
}

private func unit(
    _ observations: [Observation], k: KustomizationID = apps, path: String = "./apps",
    contexts: [String] = [appsContext], routes: [[AlertRoute]]? = nil
) -> PlanUnit {
    // `routes`: one target per entry, all in the first context (several Alerts on one Provider).
    let targets = routes.map { $0.map { StatusTarget(repository: forge, context: contexts[0], forge: .github, routes: $0) } }
    return PlanUnit(kustomization: k, repository: repo, path: path, targets: targets ?? contexts.map(target), observations: observations)
}

private func existing(
    _ n: Int, _ state: CommitState, _ description: String, context: String = appsContext,
    created: Date, key: String? = nil
) -> CommitStatus {
    CommitStatus(
        sha: sha(n), context: context, state: state, description: description, createdAt: created,
        forgeKey: key ?? context.lowercased())
}

private let azureProd = StatusTarget(
    repository: forge, context: appsContext, forge: .azuredevops, genre: "fluxcd:prod", routes: [AlertRoute(alert: "a")])

private let bitbucketDC: StatusTarget = {
    var target = StatusTarget(repository: forge, context: appsContext, forge: .bitbucketserver, routes: [AlertRoute(alert: "a")])
    target.providerAddress = "https://bitbucket.example.com/scm/acme/fleet.git"
    return target
}()

private func bitbucketStatus(_ n: Int, url: String, name: String = "kustomization/apps [reconciliation succeeded]") -> CommitStatus {
    CommitStatus(
        sha: sha(n), context: bitbucketDC.key, state: .succeeded, description: "reconciliation succeeded", targetURL: url,
        title: name, createdAt: at(n), forgeState: "SUCCESSFUL", forgeKey: bitbucketDC.key)
}

/// Facts for commits 1…20 (all present) plus intermediate ranges.
private func facts(intermediates: [IntermediateKey: [Int]] = [:], missing: Set<Int> = []) -> [String: GitFacts] {
    var times: [String: Date] = [:]
    for n in 1...20 where !missing.contains(n) { times[sha(n)] = at(n) }
    let ranges = intermediates.mapValues { $0.map { (sha: sha($0), time: at($0)) } }
    return [repo: GitFacts(commitTimes: times, intermediates: ranges)]
}

/// One planner scenario: inputs and the writes and skips a user would see.
struct Scenario: CustomTestStringConvertible, Sendable {
    var name: String
    var units: [PlanUnit]
    var git: [String: GitFacts] = facts()
    var existing: [CommitStatus] = []
    var policy = PlanPolicy()
    /// (commit, context, state, reason) in plan order.
    var writes: [(Int, String, CommitState, String)]
    var skips: [String] = []
    var unchanged = 0

    var testDescription: String { name }
}

private let scenarios: [Scenario] = [
    Scenario(
        name: "outage gap: NC missed the last three applied revisions",
        units: [
            unit([
                observed(5, at: now, origin: .status, current: true), observed(5, at: at(5)), observed(4, at: at(4)),
                observed(3, at: at(3)), observed(2, at: at(2)),
            ])
        ],
        existing: [existing(2, .succeeded, "reconciliation succeeded", created: at(2))],
        writes: [
            (5, appsContext, .succeeded, "missing"), (4, appsContext, .succeeded, "missing"), (3, appsContext, .succeeded, "missing"),
        ],
        unchanged: 1),
    Scenario(
        name: "ghost failure after recovery is corrected",
        units: [unit([observed(7, at: now, origin: .status, current: true), observed(7, .failed, at: at(8))])],
        existing: [existing(7, .failed, "health check failed", created: at(8))],
        writes: [(7, appsContext, .succeeded, "ghost failure")]),
    Scenario(
        name: "health check failing after a success replaces the success",
        units: [
            unit([
                observed(9, .failed, reason: "HealthCheckFailed", at: now, origin: .status, current: true),
                observed(9, at: nil, origin: .status),
            ])
        ],
        existing: [existing(9, .succeeded, "reconciliation succeeded", created: at(9))],
        writes: [(9, appsContext, .failed, "wrong success")]),
    Scenario(
        name: "history-only revisions get the outcome history recorded",
        units: [unit([observed(11, at: at(11)), observed(10, .failed, reason: "BuildFailed", at: at(10))])],
        writes: [(11, appsContext, .succeeded, "missing"), (10, appsContext, .failed, "missing")]),
    Scenario(
        name: "a force-pushed applied revision missing from the repository is reported, not written",
        units: [unit([observed(6, at: now, origin: .status, current: true), observed(12, at: at(5))])],
        git: facts(missing: [12]),
        writes: [(6, appsContext, .succeeded, "missing")],
        skips: ["commit missing"]),
    Scenario(
        name: "OCI: the origin revision names the commit; a bare digest is skipped with a reason",
        units: [
            unit([
                observed(8, at: now, origin: .status, current: true),
                Observation(
                    kustomization: apps, revision: "latest@sha256:" + String(repeating: "ab", count: 32),
                    outcome: .succeeded, reason: "ReconciliationSucceeded", time: at(7), origin: .history),
            ])
        ],
        writes: [(8, appsContext, .succeeded, "missing")],
        skips: ["no commit"]),
    Scenario(
        name: "monorepo: three Kustomizations on different paths each get their own context",
        units: [
            unit(
                [observed(4, at: now, current: true, k: KustomizationID(namespace: "flux-system", name: "infra"))],
                k: KustomizationID(namespace: "flux-system", name: "infra"), path: "./infrastructure",
                contexts: ["kustomization/infra/0c9c2e41"]),
            unit([observed(6, at: now, current: true)]),
            unit(
                [observed(5, at: now, current: true, k: KustomizationID(namespace: "flux-system", name: "db"))],
                k: KustomizationID(namespace: "flux-system", name: "db"), path: "./db", contexts: ["kustomization/db/0c9c2e41"]),
        ],
        writes: [
            (6, appsContext, .succeeded, "missing"), (5, "kustomization/db/0c9c2e41", .succeeded, "missing"),
            (4, "kustomization/infra/0c9c2e41", .succeeded, "missing"),
        ]),
    Scenario(
        name: "intermediate policy off: commits between applied revisions get nothing (NC's behaviour)",
        units: [unit([observed(10, at: now, current: true), observed(6, at: at(6))])],
        git: facts(intermediates: [IntermediateKey(from: sha(6), to: sha(10), path: "apps"): [9, 7]]),
        writes: [(10, appsContext, .succeeded, "missing"), (6, appsContext, .succeeded, "missing")]),
    Scenario(
        name: "intermediate policy deployed: commits touching the path between applied revisions, where no status exists",
        units: [unit([observed(10, at: now, current: true), observed(6, at: at(6))])],
        git: facts(intermediates: [IntermediateKey(from: sha(6), to: sha(10), path: "apps"): [9, 8, 7]]),
        existing: [existing(8, .failed, "build failed", created: at(8))],
        policy: PlanPolicy(intermediate: .deployed),
        writes: [
            (10, appsContext, .succeeded, "missing"), (9, appsContext, .succeeded, "deployed with 0000000"),
            (7, appsContext, .succeeded, "deployed with 0000000"), (6, appsContext, .succeeded, "missing"),
        ],
        unchanged: 1),
    Scenario(
        name: "two clusters writing to one repository use distinct contexts",
        units: [
            unit([observed(3, at: now, current: true)], contexts: ["kustomization/apps/production-eu"]),
            unit([observed(2, at: now, current: true)], contexts: ["kustomization/apps/production-us"]),
        ],
        writes: [
            (3, "kustomization/apps/production-eu", .succeeded, "missing"), (2, "kustomization/apps/production-us", .succeeded, "missing"),
        ]),
    Scenario(
        name: "a Provider's UID-based id is the context, compared case-insensitively",
        units: [unit([observed(4, at: now, current: true)], contexts: ["kustomization/Apps/0C9C2E41"])],
        existing: [existing(4, .succeeded, "reconciliation succeeded", context: "kustomization/apps/0c9c2e41", created: at(4))],
        writes: [], unchanged: 1),
    Scenario(
        name: "converged world: empty plan",
        units: [unit([observed(5, at: now, current: true), observed(4, .failed, at: at(4))])],
        existing: [
            existing(5, .succeeded, "reconciliation succeeded", created: at(5)),
            existing(4, .failed, "health check failed", created: at(4)),
        ],
        writes: [], unchanged: 2),
    Scenario(
        name: "budget smaller than the plan: newest commits first, the rest skipped for later",
        units: [unit([observed(5, at: now, current: true), observed(4, at: at(4)), observed(3, at: at(3)), observed(2, at: at(2))])],
        policy: PlanPolicy(maxWrites: 2),
        writes: [(5, appsContext, .succeeded, "missing"), (4, appsContext, .succeeded, "missing")],
        skips: ["write budget", "write budget"]),
    Scenario(
        name: "never regress: a newer disagreeing status is left alone and reported",
        units: [unit([observed(5, .failed, at: at(5))])],
        existing: [existing(5, .succeeded, "reconciliation succeeded", created: at(6))],
        writes: [], skips: ["newer status"]),
    Scenario(
        name: "a pending that never resolved is resolved",
        units: [unit([observed(5, at: now, current: true)])],
        existing: [existing(5, .pending, "reconciliation in progress", created: at(5))],
        writes: [(5, appsContext, .succeeded, "stale pending")]),
    Scenario(
        name: "--since drops older observations",
        units: [unit([observed(5, at: now, current: true), observed(2, at: at(2))])],
        policy: PlanPolicy(since: at(3)),
        writes: [(5, appsContext, .succeeded, "missing")],
        skips: ["beyond horizon"]),
    Scenario(
        name: "--since: an old snapshot of a commit that is still applied is planned, not also listed as too old",
        units: [unit([observed(5, at: now, origin: .status, current: true), observed(5, at: at(2)), observed(2, at: at(2))])],
        policy: PlanPolicy(since: at(3)),
        writes: [(5, appsContext, .succeeded, "missing")],
        skips: ["beyond horizon"]),
    Scenario(
        name: "no target: the reason the observe stage found is the skip's reason",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: ".", targets: [], observations: [observed(1, at: now, current: true)],
                noTarget: "Provider flux-system/github: its Secret flux-system/github-token could not be read: forbidden")
        ],
        writes: [], skips: ["no forge"]),
    Scenario(
        name: "current Ready beats a later history snapshot for the same revision",
        units: [unit([observed(5, at: at(5), origin: .status, current: true), observed(5, .failed, at: at(9))])],
        writes: [(5, appsContext, .succeeded, "missing")]),
    Scenario(
        name: "an error-severity Alert: failures written, a success only where it corrects a failure",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps",
                targets: [StatusTarget(repository: forge, context: appsContext, forge: .github, failuresOnly: true)],
                observations: [
                    observed(7, at: now, origin: .status, current: true), observed(6, at: at(6)),
                    observed(5, .failed, at: at(5)),
                ])
        ],
        existing: [existing(7, .failed, "health check failed", created: at(7))],
        writes: [(7, appsContext, .succeeded, "ghost failure"), (5, appsContext, .failed, "missing")]),
    // Issue 9, item 8: one Provider, several Alerts.
    Scenario(
        name: "8: an error-only Alert beside an info Alert on the same Provider does not suppress the successes",
        units: [
            unit(
                [observed(7, at: now, origin: .status, current: true), observed(5, .failed, at: at(5))],
                routes: [
                    [AlertRoute(alert: "flux-system/errors", failuresOnly: true)], [AlertRoute(alert: "flux-system/everything")],
                ])
        ],
        writes: [(7, appsContext, .succeeded, "missing"), (5, appsContext, .failed, "missing")]),
    Scenario(
        name: "8: two error-only Alerts on one Provider: failures only",
        units: [
            unit(
                [observed(7, at: now, origin: .status, current: true), observed(5, .failed, at: at(5))],
                routes: [
                    [AlertRoute(alert: "flux-system/a", failuresOnly: true)], [AlertRoute(alert: "flux-system/b", failuresOnly: true)],
                ])
        ],
        writes: [(5, appsContext, .failed, "missing")]),
    Scenario(
        name: "8: same name in two namespaces shares NC's context: the later report decides, not the sort order",
        units: [
            unit(
                [
                    observed(
                        6, .failed, reason: "HealthCheckFailed", at: now, origin: .status, current: true, reported: at(50),
                        k: KustomizationID(namespace: "team-b", name: "apps"))
                ], k: KustomizationID(namespace: "team-b", name: "apps")),
            unit(
                [
                    observed(
                        6, at: now, origin: .status, current: true, reported: at(40),
                        k: KustomizationID(namespace: "team-a", name: "apps"))
                ], k: KustomizationID(namespace: "team-a", name: "apps")),
        ],
        writes: [(6, appsContext, .failed, "missing")]),
    Scenario(
        name: "8: …and the other way round",
        units: [
            unit(
                [
                    observed(
                        6, .failed, reason: "HealthCheckFailed", at: now, origin: .status, current: true, reported: at(40),
                        k: KustomizationID(namespace: "team-a", name: "apps"))
                ], k: KustomizationID(namespace: "team-a", name: "apps")),
            unit(
                [
                    observed(
                        6, at: now, origin: .status, current: true, reported: at(50),
                        k: KustomizationID(namespace: "team-b", name: "apps"))
                ], k: KustomizationID(namespace: "team-b", name: "apps")),
        ],
        writes: [(6, appsContext, .succeeded, "missing")]),
    // Issue 9, item 4: Alert inclusion and exclusion lists on the event message.
    Scenario(
        name: "4: an inclusionList matching the failure message lets it through",
        units: [
            unit(
                [observed(6, .failed, at: now, origin: .status, current: true, message: .known("Deployment/apps/web: timeout"))],
                routes: [[AlertRoute(alert: "a", inclusionList: ["timeout"])]])
        ],
        writes: [(6, appsContext, .failed, "missing")]),
    Scenario(
        name: "4: an inclusionList the failure message does not match: NC posts nothing, neither does fluxstamp",
        units: [
            unit(
                [observed(6, .failed, at: now, origin: .status, current: true, message: .known("kustomize build failed"))],
                routes: [[AlertRoute(alert: "a", inclusionList: ["timeout"])]])
        ],
        writes: []),
    Scenario(
        name: "4: an exclusionList on successes drops them; a failure it drops does not erase an existing ghost failure rule",
        units: [
            unit(
                [observed(7, at: now, origin: .status, current: true), observed(6, at: at(6))],
                routes: [[AlertRoute(alert: "a", exclusionList: ["^Reconciliation finished"])]])
        ],
        existing: [existing(7, .failed, "health check failed", created: at(7))],
        writes: [(7, appsContext, .succeeded, "ghost failure")]),
    Scenario(
        name: "4: a filter on the success message's known words decides without the duration",
        units: [
            unit(
                [observed(7, at: now, origin: .status, current: true)],
                routes: [[AlertRoute(alert: "a", inclusionList: ["^Reconciliation finished in .*, next run in"])]])
        ],
        writes: [(7, appsContext, .succeeded, "missing")]),
    Scenario(
        name: "4: a filter that depends on the reconcile duration is not reproducible: reported, nothing written",
        units: [
            unit(
                [observed(7, at: now, origin: .status, current: true)],
                routes: [[AlertRoute(alert: "a", exclusionList: ["finished in [0-9]+m"])]])
        ],
        writes: [], skips: ["not reproducible"]),
    Scenario(
        name: "4: a history failure whose message is unknown, under a message filter, is not reproducible",
        units: [unit([observed(4, .failed, at: at(4))], routes: [[AlertRoute(alert: "a", exclusionList: ["timeout"])]])],
        writes: [], skips: ["not reproducible"]),
    Scenario(
        name: "4: a filter on one Alert does not hide what another Alert on the same Provider posts",
        units: [
            unit(
                [observed(6, .failed, at: now, origin: .status, current: true, message: .known("build failed"))],
                routes: [[AlertRoute(alert: "a", inclusionList: ["timeout"])], [AlertRoute(alert: "b")]])
        ],
        writes: [(6, appsContext, .failed, "missing")]),
    // Issue 9, item 9: leftovers of older notification-controllers.
    Scenario(
        name: "9: a newer 'dependency not ready' success (NC ≤ 1.7) is corrected whatever its age",
        units: [unit([observed(5, .failed, reason: "HealthCheckFailed", at: at(5))])],
        existing: [existing(5, .succeeded, "dependency not ready", created: at(9))],
        writes: [(5, appsContext, .failed, "left by an older notification-controller")]),
    Scenario(
        name: "9: a 'health check canceled' success on an applied commit is corrected",
        units: [unit([observed(5, at: nil, origin: .status)])],
        existing: [existing(5, .succeeded, "health check canceled", created: at(9))],
        writes: [(5, appsContext, .succeeded, "left by an older notification-controller")]),
    Scenario(
        name: "9: a Gitea 'progressing' pending leftover is corrected whatever its age",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps",
                targets: [StatusTarget(repository: forge, context: appsContext, forge: .gitea)],
                observations: [observed(5, at: at(5))])
        ],
        existing: [existing(5, .pending, "progressing", created: at(9))],
        writes: [(5, appsContext, .succeeded, "left by an older notification-controller")]),
    Scenario(
        name: "9: on GitHub a pending newer than the fact is not an NC leftover: left alone",
        units: [unit([observed(5, at: at(5))])],
        existing: [existing(5, .pending, "progressing", created: at(9))],
        writes: [], skips: ["newer status"]),
    // Issue 9, item 3: Azure DevOps genre.
    Scenario(
        name: "3: Azure DevOps under a summary: NC's status in genre fluxcd:<summary> is the one compared",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps",
                targets: [
                    StatusTarget(
                        repository: forge, context: appsContext, forge: .azuredevops, genre: "fluxcd:prod",
                        routes: [AlertRoute(alert: "a")])
                ],
                observations: [observed(5, at: now, origin: .status, current: true), observed(4, at: at(4))])
        ],
        existing: [
            existing(5, .succeeded, "reconciliation succeeded", created: at(5), key: "fluxcd:prod/\(appsContext)"),
            existing(4, .succeeded, "reconciliation succeeded", created: at(4), key: "fluxcd/\(appsContext)"),
        ],
        writes: [(4, appsContext, .succeeded, "missing")], unchanged: 1),
    Scenario(
        name: "3: Azure DevOps under a summary: NC's stale failure in fluxcd:<summary> is corrected there, not beside it",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps", targets: [azureProd],
                observations: [observed(7, at: now, origin: .status, current: true), observed(7, .failed, at: at(8))])
        ],
        existing: [
            existing(7, .failed, "health check failed", created: at(8), key: "fluxcd:prod/\(appsContext)"),
            existing(7, .succeeded, "reconciliation succeeded", created: at(9), key: "fluxcd/\(appsContext)"),
        ],
        writes: [(7, appsContext, .succeeded, "ghost failure")]),
    // Issue 9, item 7: Bitbucket Data Center carries NC's name and the raw Provider address as url.
    Scenario(
        name: "7: Bitbucket DC: a status with NC's words but another url is rewritten; NC's exact status is left",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps", targets: [bitbucketDC],
                observations: [observed(5, at: now, origin: .status, current: true), observed(4, at: at(4))])
        ],
        existing: [
            bitbucketStatus(5, url: "https://bitbucket.example.com"),
            bitbucketStatus(4, url: "https://bitbucket.example.com/scm/acme/fleet.git"),
        ],
        writes: [(5, appsContext, .succeeded, "outdated")], unchanged: 1),
    Scenario(
        name: "7: Bitbucket DC: a status whose name is not NC's is rewritten",
        units: [
            PlanUnit(
                kustomization: apps, repository: repo, path: "./apps", targets: [bitbucketDC],
                observations: [observed(5, at: now, origin: .status, current: true)])
        ],
        existing: [bitbucketStatus(5, url: "https://bitbucket.example.com/scm/acme/fleet.git", name: "kustomization/apps/0c9c2e41")],
        writes: [(5, appsContext, .succeeded, "outdated")]),
    Scenario(
        name: "unsupported source (Bucket) is reported",
        units: [
            PlanUnit(
                kustomization: apps, repository: nil, unsupported: "Bucket sources have no commits", path: ".",
                targets: [], observations: [observed(1, at: now, current: true)])
        ],
        writes: [], skips: ["unsupported source"]),
]

/// What the forge read gives: the repository's statuses under every endpoint the units write
/// through (an Azure DevOps client per genre lists every genre of the repository).
private func forgeRead(_ existing: [CommitStatus], _ units: [PlanUnit]) -> [String: [String: [CommitStatus]]] {
    let endpoints = Set([forge] + units.flatMap { $0.targets.map(\.endpoint) })
    var statuses: [String: [String: [CommitStatus]]] = [:]
    for endpoint in endpoints {
        for status in existing { statuses[endpoint, default: [:]][status.sha, default: []].append(status) }
    }
    return statuses
}

@Suite struct PlannerTests {
    @Test("planner scenarios", arguments: scenarios)
    func scenario(_ s: Scenario) {
        let statuses = forgeRead(s.existing, s.units)
        let plan = Planner.plan(PlanInput(units: s.units, git: s.git, existing: statuses, policy: s.policy))
        let got = plan.writes.map { "\($0.status.sha.suffix(8)) \($0.target.context) \($0.status.state) \($0.reason)" }
        let want = s.writes.map { "\(sha($0.0).suffix(8)) \($0.1) \($0.2) \($0.3)" }
        #expect(got == want)
        #expect(plan.skips.map(\.reason.category).sorted() == s.skips.sorted())
        #expect(plan.unchanged == s.unchanged)
    }

    @Test(
        "descriptions are notification-controller's: reasons split at camel case, lower-cased",
        arguments: [
            ("ReconciliationSucceeded", "reconciliation succeeded"), ("HealthCheckFailed", "health check failed"),
            ("ArtifactFailed", "artifact failed"), ("BuildFailed", "build failed"), ("PruneFailed", "prune failed"),
            ("HTTPServerError", "http server error"), ("V1Beta2", "v 1 beta 2"),
        ])
    func descriptions(reason: String, expected: String) {
        #expect(NotificationText.description(forReason: reason) == expected)
    }

    @Test("3: an Azure DevOps target under fluxcd:<summary> has its own endpoint; the default genre uses the repository's")
    func azureGenreEndpoint() {
        #expect(azureProd.endpoint == "\(forge) [genre fluxcd:prod]")
        #expect(azureProd.key == "fluxcd:prod/\(appsContext)")
        let plain = StatusTarget(repository: forge, context: appsContext, forge: .azuredevops, genre: "fluxcd", routes: [])
        #expect(plain.endpoint == forge)
        #expect(plain.key == "fluxcd/\(appsContext)")
        let unit = PlanUnit(
            kustomization: apps, repository: repo, path: "./apps", targets: [azureProd, plain],
            observations: [observed(7, at: now, origin: .status, current: true)])
        let plan = Planner.plan(PlanInput(units: [unit], git: facts(), existing: [:], policy: PlanPolicy()))
        #expect(Set(plan.writes.map(\.target.endpoint)) == [forge, "\(forge) [genre fluxcd:prod]"])
    }

    @Test("a second run over the world the first run wrote plans nothing")
    func secondRunConverges() {
        for s in scenarios {
            var existing = s.existing
            let first = Planner.plan(
                PlanInput(
                    units: s.units, git: s.git, existing: forgeRead(existing, s.units),
                    policy: PlanPolicy(intermediate: s.policy.intermediate, since: s.policy.since)))
            for write in first.writes {
                var written = write.status
                written.createdAt = now
                written.forgeKey = write.target.key
                existing.insert(written, at: 0)
            }
            let statuses = forgeRead(existing, s.units)
            let second = Planner.plan(PlanInput(units: s.units, git: s.git, existing: statuses, policy: s.policy))
            #expect(second.writes.isEmpty, "\(s.name)")
        }
    }

    @Test("planning is deterministic whatever the input order")
    func deterministic() {
        let s = scenarios[0]
        let a = Planner.plan(PlanInput(units: s.units, git: s.git, existing: [:], policy: s.policy))
        var shuffled = s.units
        shuffled[0].observations.reverse()
        let b = Planner.plan(PlanInput(units: shuffled.reversed(), git: s.git, existing: [:], policy: s.policy))
        #expect(a.writes == b.writes)
    }
}
