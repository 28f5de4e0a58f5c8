import Forges
import Foundation

/// The deployments stage's rules, pure: desired deployments per (cluster, Kustomization)
/// environment from the observations (status, history, events, and the ledger's when it adds
/// them), then what to write given what the forge shows.
///
/// One deployment per (forge repository, environment, commit), ordered oldest first: by when
/// Flux first reported it, else by commit time; the Ready condition's current word last. Its
/// state is what Flux said last about the commit (success or failure); on GitHub every success
/// but the newest is `inactive`, as GitHub's `auto_inactive` would have made it.
public enum Deployments {
    /// The deployments that should exist, per target, oldest first.
    /// `supportsInactive` is false for GitLab, whose replaced deployments stay `success`.
    public static func desired(
        units: [PlanUnit], git: [String: GitFacts], settings: DeploymentSettings, cluster: String, policy: PlanPolicy
    ) -> (deployments: [DeploymentTarget: [DesiredDeployment]], skips: [PlannedSkip]) {
        var byTarget: [DeploymentTarget: [String: DesiredDeployment]] = [:]
        var skips: [PlannedSkip] = []
        for unit in units.sorted(by: { $0.kustomization < $1.kustomization }) {
            guard let repository = unit.repository, let facts = git[repository] else { continue }
            let repositories = Set(unit.targets.filter { $0.forge == settings.forge }.map(\.repository)).sorted()
            if repositories.isEmpty {
                if !unit.observations.isEmpty {
                    skips.append(
                        PlannedSkip(
                            kustomization: unit.kustomization, revision: unit.observations.first?.revision ?? "",
                            reason: .noTarget("no \(settings.forge) repository to record deployments in (no Flux Provider of that type)")))
                }
                continue
            }
            let (environment, production) = settings.environment(for: unit.kustomization, cluster: cluster)
            for deployment in deploymentsOf(unit, facts: facts, policy: policy) {
                for repo in repositories {
                    let target = DeploymentTarget(repository: repo, environment: environment)
                    var d = deployment
                    d.target = target
                    d.write.environment = environment
                    d.write.productionEnvironment = production
                    d.write.environmentURL = settings.environmentURL.map {
                        settings.fill($0, id: unit.kustomization, cluster: cluster, sha: d.sha, environment: environment)
                    }
                    d.write.logURL = settings.logURL.map {
                        settings.fill($0, id: unit.kustomization, cluster: cluster, sha: d.sha, environment: environment)
                    }
                    d.write.payload.cluster = cluster
                    d.write.description = description(d, cluster: cluster)
                    // Two Kustomizations in one environment: the later word on a commit wins.
                    if let other = byTarget[target]?[d.sha], order(other, d) == false { continue }
                    byTarget[target, default: [:]][d.sha] = d
                }
            }
        }
        var result: [DeploymentTarget: [DesiredDeployment]] = [:]
        for (target, bySha) in byTarget {
            var list = bySha.values.sorted(by: order)
            let newestSuccess = list.lastIndex { $0.state == .success }
            for i in list.indices where list[i].state == .success && i != newestSuccess {
                list[i].state = settings.forge == .github ? .inactive : .success
                list[i].write.state = list[i].state
            }
            result[target] = list
        }
        return (result, skips)
    }

    /// Whether `a` happened before `b`: the current word last, then first report, then commit time.
    static func order(_ a: DesiredDeployment, _ b: DesiredDeployment) -> Bool {
        if a.isCurrent != b.isCurrent { return b.isCurrent }
        let ta = a.firstSeen ?? a.commitTime ?? .distantPast, tb = b.firstSeen ?? b.commitTime ?? .distantPast
        if ta != tb { return ta < tb }
        return (a.commitTime ?? .distantPast, a.sha) < (b.commitTime ?? .distantPast, b.sha)
    }

    /// One deployment per commit of a Kustomization the repository still reaches.
    static func deploymentsOf(_ unit: PlanUnit, facts: GitFacts, policy: PlanPolicy) -> [DesiredDeployment] {
        var bySha: [String: [Observation]] = [:]
        for observation in unit.observations {
            guard case .success(let sha) = Revision.parse(observation.revision).flatMap({ $0.commit }),
                facts.commitTimes[sha] != nil
            else { continue }
            bySha[sha, default: []].append(observation)
        }
        var result = bySha.compactMap { sha, observations -> DesiredDeployment? in
            let winner = observations.reduce(observations[0]) { $1.supersedes($0) ? $1 : $0 }
            // The current word's `time` is the run's own now; when Flux reported it is `reportedAt`.
            let times = observations.flatMap { o in (o.isCurrent ? [o.reportedAt] : [o.time, o.reportedAt]).compactMap { $0 } }
            let firstSeen = times.min(), lastSeen = (observations.compactMap(\.reportedAt) + times).max()
            if let since = policy.since, (lastSeen ?? facts.commitTimes[sha]!) < since { return nil }
            return deployment(
                of: unit, sha: sha, revision: winner.revision, state: winner.outcome == .succeeded ? .success : .failure,
                firstSeen: firstSeen, lastSeen: lastSeen, isCurrent: observations.contains(where: \.isCurrent), facts: facts)
        }
        // Flux is applying a commit now: it is the newest deployment, in progress, whatever was said of it before (a
        // failed revision being retried); the deployment it replaces stays active until Flux reports success.
        if let progress = unit.progressing, case .success(let sha) = Revision.parse(progress.revision).flatMap({ $0.commit }),
            facts.commitTimes[sha] != nil
        {
            let earlier = result.first { $0.sha == sha }
            result.removeAll { $0.sha == sha }
            for i in result.indices { result[i].isCurrent = false }
            let seen = [earlier?.firstSeen, progress.since].compactMap { $0 }
            result.append(
                deployment(
                    of: unit, sha: sha, revision: progress.revision, state: .inProgress, firstSeen: seen.min(),
                    lastSeen: [earlier?.lastSeen, progress.since].compactMap { $0 }.max() ?? seen.min(), isCurrent: true,
                    facts: facts))
        }
        return result
    }

    /// One desired deployment of a Kustomization's commit, before its environment is known.
    static func deployment(
        of unit: PlanUnit, sha: String, revision: String, state: DeploymentState, firstSeen: Date?, lastSeen: Date?, isCurrent: Bool,
        facts: GitFacts
    ) -> DesiredDeployment {
        let payload = DeploymentPayload(
            firstSeen: firstSeen.map(stamp), lastSeen: lastSeen.map(stamp), revision: revision, cluster: "",
            kustomization: unit.kustomization.description)
        return DesiredDeployment(
            target: DeploymentTarget(repository: "", environment: ""), kustomization: unit.kustomization, sha: sha,
            revision: revision, state: state, firstSeen: firstSeen, lastSeen: lastSeen, isCurrent: isCurrent,
            commitTime: facts.commitTimes[sha],
            write: DeploymentWrite(
                sha: sha, ref: Revision.refName(revision), isTag: revision.hasPrefix("refs/tags/") || isTagName(revision), environment: "",
                description: "", payload: payload, state: state))
    }

    /// A revision whose ref looks like a version (`v1.2.3@sha1:…`, `1.2.3@sha1:…`) names a tag
    /// (Flux writes a tag's name without `refs/tags/`).
    static func isTagName(_ revision: String) -> Bool {
        guard revision.contains("@"), let name = revision.split(separator: "@").first else { return false }
        return (name.first == "v" ? name.dropFirst() : name[...]).first?.isNumber == true
    }

    /// The deployment's description: what Flux did, where, and when it truly happened (GitHub's own
    /// creation time is the time of the backfill).
    static func description(_ d: DesiredDeployment, cluster: String) -> String {
        let verb = d.state == .failure ? "failed to apply" : d.state == .inProgress ? "is applying" : "applied"
        let when = d.firstSeen.map { (d.state == .inProgress ? " since " : " at ") + stamp($0) } ?? ""
        return "Flux \(verb) \(d.sha.prefix(12)) on \(cluster)\(when) (\(d.kustomization))"
    }

    /// RFC 3339 in UTC, whole seconds.
    static func stamp(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    /// The plan cut to `budget` writes: each environment keeps its oldest writes (a prefix, so the
    /// order GitHub's `auto_inactive` and "latest deployment" read stays right, and the next run
    /// creates the rest after them), the budget dealt to the environments in turn.
    public static func limit(_ plan: DeploymentPlan, to budget: Int) -> DeploymentPlan {
        guard plan.writes.count > budget else { return plan }
        let byTarget = Dictionary(grouping: plan.writes.indices, by: { plan.writes[$0].target })
        var kept: [DeploymentTarget: Int] = [:]
        var left = max(0, budget)
        var round = 0
        while left > 0 {
            var any = false
            for target in byTarget.keys.sorted() where left > 0 && byTarget[target]!.count > round {
                kept[target, default: 0] += 1
                left -= 1
                any = true
            }
            if !any { break }
            round += 1
        }
        var result = plan
        let keep = Set(byTarget.flatMap { target, indices in indices.prefix(kept[target] ?? 0) })
        result.writes = plan.writes.indices.filter(keep.contains).map { plan.writes[$0] }
        result.overBudget = plan.overBudget + plan.writes.count - result.writes.count
        return result
    }

    /// What to write, per target in order, given what the forge shows (`existing`, oldest first).
    ///
    /// A missing deployment is created with its state; a replaced one (desired `inactive`) is
    /// created as `success` when a later success will be posted in this run with `auto_inactive`,
    /// which then makes it inactive exactly as GitHub would have at the time; otherwise it is
    /// created `inactive` at once. After the creations are simulated (GitHub's `auto_inactive`
    /// included), every existing deployment whose state still differs gets one new state.
    public static func compare(
        _ desired: [DeploymentTarget: [DesiredDeployment]], existing: [DeploymentTarget: [DeploymentRecord]], forge: ForgeKind
    ) -> DeploymentPlan {
        var plan = DeploymentPlan()
        plan.environments = desired.keys.sorted()
        for target in plan.environments {
            let wanted = desired[target] ?? []
            let shown = existing[target] ?? []
            // The newest deployment of each commit is the one the forge shows.
            var current: [String: DeploymentRecord] = [:]
            for record in shown { current[record.sha] = record }
            var predicted: [String: DeploymentState?] = Dictionary(shown.map { ($0.sha, $0.state) }, uniquingKeysWith: { _, b in b })
            // Which missing deployments will be posted `success` with auto_inactive, from the newest back.
            var postsSuccess = Array(repeating: false, count: wanted.count)
            var successAhead = false
            for i in wanted.indices.reversed() where current[wanted[i].sha] == nil {
                let state = wanted[i].state
                postsSuccess[i] = forge == .github && (state == .success || (state == .inactive && successAhead))
                successAhead = successAhead || postsSuccess[i]
            }
            var creates: [PlannedDeploymentWrite] = []
            for (i, d) in wanted.enumerated() where current[d.sha] == nil {
                var write = d.write
                write.state = postsSuccess[i] ? .success : d.state
                write.autoInactive = postsSuccess[i]
                if write.autoInactive {
                    for (sha, state) in predicted where state == .success { predicted[sha] = .inactive }
                }
                predicted[d.sha] = write.state
                creates.append(
                    PlannedDeploymentWrite(
                        action: .create, target: target, kustomization: d.kustomization, write: write, existing: nil,
                        finalState: d.state, reason: "missing"))
            }
            var corrections: [PlannedDeploymentWrite] = []
            for d in wanted {
                guard let record = current[d.sha] else { continue }
                let now = predicted[d.sha] ?? nil
                if now == d.state {
                    plan.unchanged += 1
                    continue
                }
                // GitLab's state machine moves a deployment to `running` only from `created`: an existing one (a failed
                // revision Flux is retrying) keeps its state until Flux says how the retry ended.
                if forge == .gitlab, d.state == .inProgress { continue }
                var write = d.write
                write.autoInactive = false
                corrections.append(
                    PlannedDeploymentWrite(
                        action: .setState, target: target, kustomization: d.kustomization, write: write, existing: record,
                        finalState: d.state, reason: "shows \(now.map(\.rawValue) ?? "no state"), should be \(d.state.rawValue)"))
            }
            plan.writes += creates + corrections
        }
        return plan
    }
}
