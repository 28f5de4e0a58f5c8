import Foundation

/// The audit computation: facts and git history in, one report out (pure; docs/audit.md defines
/// every figure it produces).
public enum Audit {
    /// Computes the report of every cluster and Kustomization of `input`.
    public static func report(_ input: AuditInput) -> AuditReport {
        var clusters: [ClusterReport] = []
        // Each branch's sha → chain position, built once and shared by every Kustomization tracking it.
        var positions: [BranchKey: [String: Int]] = [:]
        for (key, history) in input.histories {
            var index: [String: Int] = [:]
            index.reserveCapacity(history.commits.count)
            for (i, commit) in history.commits.enumerated() where index[commit.sha] == nil { index[commit.sha] = i }
            positions[key] = index
        }
        for cluster in input.clusters {
            let kustomizations = cluster.kustomizations
                .sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                .map { k in
                    KustomizationAudit.report(
                        k, cluster: cluster.name, history: k.history.flatMap { input.histories[$0] },
                        chainIndex: k.history.flatMap { positions[$0] } ?? [:], input: input)
                }
            clusters.append(
                ClusterReport(
                    name: cluster.name, kustomizations: kustomizations,
                    dora: DORA.figures(kustomizations.map(\.self), since: input.since, until: input.until)))
        }
        let all = clusters.flatMap(\.kustomizations)
        return AuditReport(
            generatedAt: input.now, since: input.since, until: input.until, clusters: clusters,
            dora: DORA.figures(all, since: input.since, until: input.until),
            matrix: Matrix.rows(input: input, clusters: clusters, positions: positions))
    }

    /// Whole seconds from `a` to `b`, rounded to the nearest.
    static func seconds(from a: Date, to b: Date) -> Int {
        Int((b.timeIntervalSince(a)).rounded())
    }
}

/// One Kustomization's part of the report.
enum KustomizationAudit {
    /// Every record of one (commit, outcome), merged.
    struct Merged {
        var key: String
        var revision: String
        var sha: String?
        var outcome: DeploymentOutcome
        var firstSeen: Date?
        var lastSeen: Date?
        /// The latest last time of the records that give one.
        var lastSeenByRecords: Date?
        /// Every last time the records give.
        var lastTimes: [Date] = []
        var origins: Set<FactOrigin>
        var reason = ""
        var message = ""
        /// The time of the record the reason came from (the newest record with a reason wins).
        var reasonTime: Date?
    }

    static func report(
        _ k: KustomizationFacts, cluster: String, history: BranchHistory?, chainIndex: [String: Int], input: AuditInput
    ) -> KustomizationReport {
        let merged = merge(k.facts.filter { ($0.firstTime ?? $0.lastTime).map { $0 <= input.until } ?? true })
        let pathIndex = history?.paths.firstIndex(of: k.path)
        // The successful deployments on the chain, by position: the previous one of a deployment is
        // the nearest older success (a deployment's place on the branch decides, not clocks that disagree).
        let successPositions = Set(merged.filter { $0.outcome == .succeeded }.compactMap { $0.sha.flatMap { chainIndex[$0] } }).sorted()

        func inWindow(_ m: Merged) -> Bool {
            guard let time = m.firstSeen ?? m.lastSeen else { return false }
            return time >= input.since && time <= input.until
        }

        var deployments: [DeploymentReport] = []
        for m in merged where inWindow(m) {
            var report = DeploymentReport(
                revision: m.revision, sha: m.sha, outcome: m.outcome, firstSeen: m.firstSeen, lastSeen: m.lastSeen,
                origins: m.origins.sorted(), reason: m.reason, message: m.message, previousSha: nil, carriedKnown: false,
                commits: [], otherCommits: 0, changed: true)
            if let history, let sha = m.sha, let position = chainIndex[sha],
                let previous = successPositions.first(where: { $0 > position })
            {
                report.previousSha = history.commits[previous].sha
                report.carriedKnown = true
                var others = 0
                for commit in history.commits[position..<previous] {
                    guard let pathIndex, commit.touched.contains(pathIndex) else {
                        others += 1
                        continue
                    }
                    let details = commit.details ?? history.details[commit.sha]
                    var lead: Int?
                    if m.outcome == .succeeded, let first = m.firstSeen {
                        lead = Audit.seconds(from: commit.committerTime, to: first)
                    }
                    report.commits.append(
                        CarriedCommitReport(
                            sha: commit.sha, author: details?.author ?? "", subject: details?.subject ?? "",
                            committerTime: commit.committerTime, leadTimeSeconds: lead))
                }
                report.otherCommits = others
                report.changed = !report.commits.isEmpty
            }
            deployments.append(report)
        }
        deployments.sort(by: newestFirst(chainIndex))

        // Time to restore: from a failure to the first success first seen after it.
        let successes = merged.filter { $0.outcome == .succeeded && $0.firstSeen != nil }.sorted { $0.firstSeen! < $1.firstSeen! }
        let failures: [FailureReport] = deployments.filter { $0.outcome == .failed }.map { failure in
            var report = FailureReport(
                revision: failure.revision, sha: failure.sha, reason: failure.reason, message: failure.message,
                firstSeen: failure.firstSeen)
            if let start = failure.firstSeen, let restore = successes.first(where: { $0.firstSeen! > start }),
                restore.firstSeen! <= input.until
            {
                report.restoredBy = restore.sha ?? restore.revision
                report.restoredAt = restore.firstSeen
                report.timeToRestoreSeconds = Audit.seconds(from: start, to: restore.firstSeen!)
            }
            return report
        }

        var anomalies: [Anomaly] = []
        if k.suspended {
            anomalies.append(Anomaly(kind: .suspended, sha: nil, detail: "spec.suspend is true: Flux applies no new revision"))
        }
        if let why = k.unsupportedSource {
            anomalies.append(Anomaly(kind: .sourceNotGit, sha: nil, detail: why))
        }
        if let why = history?.unreadable {
            anomalies.append(Anomaly(kind: .historyUnavailable, sha: nil, detail: why))
        } else if k.unsupportedSource == nil, history == nil {
            let why =
                k.noHistoryReason
                ?? (k.branch == nil ? "its source tracks no branch (a tag, semver range or commit)" : "no git history was read")
            anomalies.append(Anomaly(kind: .historyUnavailable, sha: nil, detail: "commits and lead times are unknown: \(why)"))
        }

        // Live: the applied revision now, else the newest successful deployment (also for a window
        // that ends in the past, when what is applied now says nothing about then).
        let liveSha = (input.until >= input.now ? k.live?.sha : nil) ?? successes.last?.sha
        var live: LiveReport?
        if let status = k.live {
            live = LiveReport(
                revision: status.revision, commit: liveSha.flatMap { details(of: $0, in: history, chain: chainIndex) },
                sha: status.sha, ready: status.ready, reason: status.reason, message: status.message)
        }
        if let history, history.unreadable == nil {
            var flagged: Set<String> = []
            let deployedShas = ([liveSha] + deployments.map(\.sha)).compactMap { $0 }
            for sha in deployedShas where chainIndex[sha] == nil && !history.reachable.contains(sha) && flagged.insert(sha).inserted {
                if history.missing.contains(sha) {
                    anomalies.append(
                        Anomaly(
                            kind: .commitMissing, sha: sha,
                            detail: "commit \(sha.prefix(7)) is not in the repository (wrong repository, or garbage-collected)"))
                } else {
                    anomalies.append(
                        Anomaly(
                            kind: .notOnBranch, sha: sha,
                            detail: "commit \(sha.prefix(7)) was deployed but branch \(k.branch ?? "?") no longer reaches it (force push?)")
                    )
                }
            }
        }

        // Pending: commits newer than the live one on the chain that touch the path.
        var pending: [PendingCommit] = []
        let reference = min(input.now, input.until)
        if let history, let pathIndex, let liveSha, let livePosition = chainIndex[liveSha] {
            for commit in history.commits[0..<livePosition] where commit.touched.contains(pathIndex) && commit.committerTime <= input.until
            {
                let details = commit.details ?? history.details[commit.sha]
                pending.append(
                    PendingCommit(
                        sha: commit.sha, author: details?.author ?? "", subject: details?.subject ?? "",
                        committerTime: commit.committerTime, ageSeconds: Audit.seconds(from: commit.committerTime, to: reference)))
            }
        }

        let partial = KustomizationReport(
            cluster: cluster, namespace: k.namespace, name: k.name, path: k.path, repository: k.repository, branch: k.branch,
            suspended: k.suspended, live: live, deployments: deployments, failures: failures, pending: pending,
            anomalies: anomalies, dora: DORA.empty)
        var result = partial
        result.dora = DORA.figures([partial], since: input.since, until: input.until)
        return result
    }

    /// Merges facts by (commit, outcome): a revision's records from every origin become one deployment.
    static func merge(_ facts: [DeploymentFact]) -> [Merged] {
        var byKey: [String: Merged] = [:]
        var order: [String] = []
        for fact in facts {
            let key = "\(fact.sha ?? fact.revision) \(fact.outcome.rawValue)"
            var m =
                byKey[key]
                ?? Merged(key: key, revision: fact.revision, sha: fact.sha, outcome: fact.outcome, origins: [])
            if byKey[key] == nil { order.append(key) }
            m.origins.insert(fact.origin)
            if let first = fact.firstTime { m.firstSeen = min(m.firstSeen ?? first, first) }
            if let last = fact.lastTime {
                m.lastSeenByRecords = max(m.lastSeenByRecords ?? last, last)
                m.lastTimes.append(last)
            }
            // Without any record of how long it stayed, the last sighting is its latest first time.
            m.lastSeen = m.lastSeenByRecords ?? [m.lastSeen, fact.firstTime].compactMap { $0 }.max()
            // A revision with a branch name beats a bare sha (forge statuses know only the sha).
            if m.revision == m.sha, fact.revision != fact.sha { m.revision = fact.revision }
            if !fact.reason.isEmpty {
                let time = fact.lastTime ?? fact.firstTime
                if m.reason.isEmpty || (time ?? .distantPast) > (m.reasonTime ?? .distantPast) {
                    m.reason = fact.reason
                    m.message = fact.message
                    m.reasonTime = time
                }
            }
            byKey[key] = m
        }
        return boundedBySuccessors(order.map { byKey[$0]! })
    }

    /// A deployment that was replaced was not live after its successor appeared, although the
    /// ledger goes on seeing it in `status.history` at every run: a success ends when the next
    /// success is first seen, a failure when anything newer is. Last times after that bound are
    /// sightings of the record, not of the deployment, and are dropped; with none left, the bound
    /// is its last time. (A rollback to an earlier commit merges into that commit's deployment, whose
    /// last time then ends at the first replacement.)
    static func boundedBySuccessors(_ merged: [Merged]) -> [Merged] {
        merged.map { m in
            guard let first = m.firstSeen else { return m }
            let newer = merged.filter { other in
                guard let start = other.firstSeen, start > first else { return false }
                return m.outcome == .failed || other.outcome == .succeeded
            }
            guard let bound = newer.compactMap(\.firstSeen).min(), let last = m.lastSeen, last > bound else { return m }
            var bounded = m
            bounded.lastSeen = m.lastTimes.filter { $0 <= bound }.max() ?? bound
            return bounded
        }
    }

    /// Newest first: by first time (else last time), then the newer commit on the chain, then outcome.
    static func newestFirst(_ chainIndex: [String: Int]) -> (DeploymentReport, DeploymentReport) -> Bool {
        { a, b in
            let ta = a.firstSeen ?? a.lastSeen ?? .distantPast, tb = b.firstSeen ?? b.lastSeen ?? .distantPast
            if ta != tb { return ta > tb }
            let pa = a.sha.flatMap { chainIndex[$0] } ?? Int.max, pb = b.sha.flatMap { chainIndex[$0] } ?? Int.max
            if pa != pb { return pa < pb }
            return (a.outcome.rawValue, a.revision) < (b.outcome.rawValue, b.revision)
        }
    }

    static func details(of sha: String, in history: BranchHistory?, chain: [String: Int]) -> CommitDetails? {
        guard let history else { return nil }
        if let known = history.details[sha] { return known }
        if let index = chain[sha] { return history.commits[index].details }
        return nil
    }
}
