import Foundation
import GitHistory

/// Per Kustomization: which observation wins for each commit, what names no usable commit, and
/// the ranges between consecutive applied commits. Computed once per run, in the resolve stage
/// (which asks git for exactly these ranges), and handed unchanged to the planner.
public struct Selection: Sendable {
    /// Commit sha → the observation that wins for it (current beats history, later beats earlier).
    public var winners: [String: Observation] = [:]
    /// Observations that name no usable commit, with reasons.
    public var skips: [PlannedSkip] = []
    /// Consecutive applied commits, oldest first, whose in-between commits may get an
    /// intermediate status (only with `--intermediate deployed`).
    public var ranges: [IntermediateKey] = []

    /// Selects for one unit, given which commits exist (`commitTimes`) in its repository.
    public static func make(_ unit: PlanUnit, repository: String, commitTimes: [String: Date], policy: PlanPolicy) -> Selection {
        var selection = Selection()
        var beyondHorizon: [(sha: String, skip: PlannedSkip)] = []
        for observation in unit.observations {
            func skip(_ reason: SkipReason) {
                selection.skips.append(
                    PlannedSkip(kustomization: unit.kustomization, revision: observation.revision, target: nil, reason: reason))
            }
            let sha: String
            switch Revision.parse(observation.revision).flatMap({ $0.commit }) {
            case .success(let commit): sha = commit
            case .failure(let reason):
                skip(.noCommit(reason.description))
                continue
            }
            guard commitTimes[sha] != nil else {
                skip(.commitMissing(sha: sha, repository: repository))
                continue
            }
            if let since = policy.since, let time = observation.time, time < since {
                beyondHorizon.append(
                    (
                        sha,
                        PlannedSkip(
                            kustomization: unit.kustomization, revision: observation.revision, target: nil,
                            reason: .beyondHorizon)
                    ))
                continue
            }
            if let current = selection.winners[sha], !observation.supersedes(current) { continue }
            selection.winners[sha] = observation
        }
        // An old observation of a commit that a newer one still names is not "skipped": the commit is planned.
        selection.skips += beyondHorizon.filter { selection.winners[$0.sha] == nil }.map(\.skip)
        if policy.intermediate == .deployed {
            let path = policy.intermediatePathAware ? RepoPath.normalise(unit.path) : nil
            selection.ranges = ranges(applied: selection.winners, commitTimes: commitTimes, path: path)
        }
        return selection
    }

    /// Consecutive applied commits as ranges, oldest first: by observation time (unknown first),
    /// then by commit time.
    static func ranges(applied observations: [String: Observation], commitTimes: [String: Date], path: String?) -> [IntermediateKey] {
        let applied = observations.filter { $0.value.outcome == .succeeded }
            .sorted { a, b in
                switch (a.value.time, b.value.time) {
                case let (x?, y?) where x != y: return x < y
                case (nil, .some): return true
                case (.some, nil): return false
                default: return (commitTimes[a.key] ?? .distantPast, a.key) < (commitTimes[b.key] ?? .distantPast, b.key)
                }
            }
            .map(\.key)
        return zip(applied, applied.dropFirst()).map { IntermediateKey(from: $0, to: $1, path: path) }
    }
}
