import Forges
import Foundation
import GitHistory

/// A status the cluster says should exist, before it is compared with the forge.
public struct DesiredStatus: Sendable, Hashable {
    /// Where it goes.
    public var target: StatusTarget
    /// The commit.
    public var sha: String
    /// Succeeded or failed.
    public var state: CommitState
    /// notification-controller's description.
    public var description: String
    /// The observation behind it; nil for an intermediate commit.
    public var observation: Observation?
    /// For an intermediate commit: the applied commit that carried it.
    public var carriedBy: String?
    /// The Kustomization it comes from.
    public var kustomization: KustomizationID
    /// The commit's committer time.
    public var commitTime: Date?
    /// The branch or tag the revision names, which GitLab needs when only a tag or a deleted
    /// branch reaches the commit.
    public var ref: String?
    /// Whether notification-controller would post it through the target's Alerts.
    public var admission: Admission = .posts
}

/// Stages 3 and 5, plan: a pure function from observations, git facts, existing statuses and
/// policy to a plan (SPEC section 5). It runs in two steps so the pipeline reads exactly the
/// statuses it needs in between (stage 4, `ReadForge`): `desired` (what should exist), then
/// `compare` (what to write).
public enum Planner {
    /// Plans in one call, for callers that already have every existing status (tests, benches).
    public static func plan(_ input: PlanInput) -> Plan {
        let wanted = desired(units: input.units, git: input.git, policy: input.policy) { unit in
            guard let repository = unit.repository, let facts = input.git[repository] else { return nil }
            return Selection.make(unit, repository: repository, commitTimes: facts.commitTimes, policy: input.policy)
        }
        return compare(wanted, existing: input.existing, policy: input.policy)
    }

    /// The statuses that should exist, and what cannot be planned (with reasons). `selection`
    /// gives each unit's selection, made by the resolve stage; `unreadable` names repositories
    /// that could not be read.
    public static func desired(
        units: [PlanUnit], git: [String: GitFacts], unreadable: [String: String] = [:], policy: PlanPolicy,
        selection: (PlanUnit) -> Selection?
    ) -> Desired {
        var result = Desired()
        var chosen: [DesiredKey: DesiredStatus] = [:]
        func offer(_ status: DesiredStatus) {
            let key = DesiredKey(repository: status.target.repository, key: status.target.key, sha: status.sha)
            if let existing = chosen[key], !wins(status, over: existing) { return }
            chosen[key] = status
        }
        for unit in units.sorted(by: { $0.kustomization < $1.kustomization }) {
            result.observed += unit.observations.count
            func skip(_ revision: String, _ reason: SkipReason, _ target: StatusTarget? = nil) {
                result.skips.append(PlannedSkip(kustomization: unit.kustomization, revision: revision, target: target, reason: reason))
            }
            if let why = unit.unsupported {
                skip(unit.observations.first?.revision ?? "", .unsupportedSource(why))
                continue
            }
            guard let repository = unit.repository, let facts = git[repository], let selection = selection(unit) else {
                let why = unit.repository.flatMap { unreadable[$0] } ?? "its source repository could not be read"
                skip(unit.observations.first?.revision ?? "", .repositoryUnreadable(why))
                continue
            }
            if unit.targets.isEmpty {
                skip(
                    unit.observations.first?.revision ?? "",
                    .noTarget(
                        unit.noTarget
                            ?? "no forge to write to: no Flux Provider reports commit "
                                + "statuses for it and \(repository) is not a known forge"
                    ))
                continue
            }
            let best = selection.winners
            result.skips += selection.skips
            let targets = merged(unit.targets)
            for (sha, observation) in best {
                for var target in targets {
                    if let expression = target.contextExpression {
                        switch expression.context(outcome: .init(observation)) {
                        case .context(let context): target = target.with(context: context)
                        case .notReproducible(let why):
                            skip(observation.revision, .notReproducible(why), target)
                            continue
                        case .failed(let why):
                            skip(observation.revision, .commitStatusExpression(why), target)
                            continue
                        }
                    }
                    offer(
                        DesiredStatus(
                            target: target, sha: sha, state: observation.outcome == .succeeded ? .succeeded : .failed,
                            description: NotificationText.description(forReason: observation.reason),
                            observation: observation, carriedBy: nil, kustomization: unit.kustomization,
                            commitTime: facts.commitTimes[sha], ref: Revision.refName(observation.revision),
                            admission: target.admits(observation.outcome, message: observation.eventMessage)))
                }
            }
            for key in selection.ranges {
                for commit in facts.intermediates[key] ?? [] where best[commit.sha] == nil {
                    if let since = policy.since, commit.time < since { continue }
                    // An intermediate commit has no event of its own to evaluate a commitStatusExpr over.
                    for target in targets where target.contextExpression == nil {
                        offer(
                            DesiredStatus(
                                target: target, sha: commit.sha, state: .succeeded,
                                description: "deployed with \(key.to.prefix(7))", observation: nil, carriedBy: key.to,
                                kustomization: unit.kustomization, commitTime: commit.time,
                                ref: best[key.to].flatMap { Revision.refName($0.revision) },
                                admission: target.admits(.succeeded, message: .reconciliationFinished(interval: nil))))
                    }
                }
            }
        }
        result.statuses = Array(chosen.values)
        return result
    }

    /// Compares desired statuses with what the forge shows and decides what to write.
    public static func compare(_ desired: Desired, existing: [String: [String: [CommitStatus]]], policy: PlanPolicy) -> Plan {
        var writes: [PlannedWrite] = []
        var skips = desired.skips
        var unchanged = 0
        for wanted in desired.statuses {
            let statuses = existing[wanted.target.endpoint]?[wanted.sha] ?? []
            let current = statuses.first { ($0.forgeKey ?? $0.context.lowercased()) == wanted.target.key }
            var status = CommitStatus(
                sha: wanted.sha, context: wanted.target.context, state: wanted.state,
                description: wanted.description, ref: wanted.ref)
            if wanted.target.forge == .bitbucketserver {
                // NC's Bitbucket Data Center build status: name `kind/name [description]`, url the raw Provider address.
                status.title = "kustomization/\(wanted.kustomization.name)".lowercased() + " [\(wanted.description)]"
                status.targetURL = wanted.target.providerAddress
            }
            func write(_ reason: WriteReason) {
                writes.append(
                    PlannedWrite(
                        target: wanted.target, status: status, reason: reason, current: current,
                        kustomization: wanted.kustomization, commitTime: wanted.commitTime))
            }
            if let current, wanted.carriedBy != nil || wanted.target.forge.shows(status, current: current) {
                if wanted.carriedBy == nil, wanted.target.forge == .bitbucketserver, wanted.admission == .posts,
                    current.title != status.title || (status.targetURL != nil && current.targetURL != status.targetURL)
                {
                    write(.outdated)  // same state and words, but not NC's name or url: NC's own duplicate check would differ
                    continue
                }
                unchanged += 1  // intermediates only fill contexts that have no status yet
                continue
            }
            switch wanted.admission {
            case .posts: break
            case .filtered:
                // NC would not post it (an error-only Alert, a message filter): written only to correct a failure.
                guard wanted.state == .succeeded, current?.state == .failed else { continue }
            case .undecidable(let why):
                skips.append(
                    PlannedSkip(
                        kustomization: wanted.kustomization, revision: wanted.sha, target: wanted.target,
                        reason: .notReproducible(why)))
                continue
            }
            guard let current else {
                write(wanted.carriedBy.map { .intermediate(carriedBy: $0) } ?? .missing)
                continue
            }
            // Never posted by NC v1.9, so never a newer word that disagrees: corrected whatever its age.
            if isOlderNotificationControllerLeftover(current, forge: wanted.target.forge) {
                write(.olderNotificationController)
                continue
            }
            // Never regress: a status newer than what we know (or one we cannot date against) stays.
            let observedAt = wanted.observation?.time
            if observedAt == nil || (current.createdAt.map { $0 > observedAt! } ?? false) {
                skips.append(
                    PlannedSkip(
                        kustomization: wanted.kustomization, revision: wanted.sha, target: wanted.target,
                        reason: .newerStatusDisagrees(context: wanted.target.context, current: current.state)))
                continue
            }
            switch (current.state, wanted.state) {
            case (.failed, .succeeded): write(.ghostFailure)
            case (.succeeded, .failed): write(.wrongSuccess)
            case (.pending, _), (.running, _): write(.stalePending)
            default: write(.outdated)
            }
        }
        writes.sort { a, b in
            let ta = a.commitTime ?? .distantPast, tb = b.commitTime ?? .distantPast
            if ta != tb { return ta > tb }
            return (a.target, a.status.sha) < (b.target, b.status.sha)
        }
        if let budget = policy.maxWrites, writes.count > budget {
            for over in writes[max(0, budget)...] {
                skips.append(
                    PlannedSkip(kustomization: over.kustomization, revision: over.status.sha, target: over.target, reason: .budget))
            }
            writes = Array(writes.prefix(max(0, budget)))
        }
        return Plan(writes: writes, skips: skips, unchanged: unchanged, observed: desired.observed)
    }

    /// Which of two desired statuses for the same commit and context wins: an observed fact over
    /// an intermediate fill; for one Kustomization, the observation that supersedes; for two that
    /// share NC's context (same name in other namespaces), the one Flux reported last, since NC
    /// posts each event as it comes and the last one stays.
    static func wins(_ a: DesiredStatus, over b: DesiredStatus) -> Bool {
        switch (a.observation, b.observation) {
        case let (x?, y?):
            if x.kustomization != y.kustomization, x.reportedAt != y.reportedAt {
                switch (x.reportedAt, y.reportedAt) {
                case let (p?, q?): return p > q
                case (.some, nil): return true
                default: return false
                }
            }
            return x.supersedes(y)
        case (.some, nil): return true
        default: return false
        }
    }

    /// A unit's targets with one entry per place (forge repository and key): several Alerts on one
    /// Provider post into one context, each by its own rules (NC dispatches an event to every
    /// matching Alert), so a fact is posted there if any of them posts it.
    static func merged(_ targets: [StatusTarget]) -> [StatusTarget] {
        var result: [StatusTarget] = []
        for target in targets {
            if let i = result.firstIndex(where: { $0.repository == target.repository && $0.key == target.key }) {
                result[i] = result[i].merged(with: target)
            } else {
                result.append(target)
            }
        }
        return result
    }

    /// A status notification-controller v1.9 never posts, left by an older one: a success saying
    /// `dependency not ready` or `health check canceled` (NC ≤ v1.7 posted info events as
    /// successes), or Gitea's `pending` for a Progressing event.
    static func isOlderNotificationControllerLeftover(_ status: CommitStatus, forge: ForgeKind) -> Bool {
        if status.state == .succeeded, ["dependency not ready", "health check canceled"].contains(status.description) { return true }
        return forge == .gitea && status.state == .pending && status.description == "progressing"
    }

    /// The desired statuses of a run, and what could not be planned.
    public struct Desired: Sendable {
        /// One per (forge repository, context key, commit).
        public var statuses: [DesiredStatus] = []
        /// Observations and units that cannot be planned.
        public var skips: [PlannedSkip] = []
        /// Observations considered.
        public var observed = 0

        /// The commits whose existing statuses must be read, and the contexts asked about, per
        /// forge endpoint (`StatusTarget.endpoint`; Bitbucket Data Center reads one key at a time).
        public var reads: [String: (shas: Set<String>, contexts: Set<String>)] {
            var result: [String: (shas: Set<String>, contexts: Set<String>)] = [:]
            for status in statuses {
                result[status.target.endpoint, default: ([], [])].shas.insert(status.sha)
                result[status.target.endpoint, default: ([], [])].contexts.insert(status.target.context)
            }
            return result
        }
    }

    struct DesiredKey: Hashable {
        var repository: String
        var key: String
        var sha: String
    }
}
