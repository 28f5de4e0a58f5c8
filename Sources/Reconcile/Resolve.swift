import Foundation
import GitHistory

/// The resolve step: asks git, once per repository, what the planner needs to know (which
/// observed commits exist and when they were made; the commits between applied revisions).
public enum Resolve {
    /// Git facts for the units whose commits live in `repository`.
    public static func gitFacts(for units: [PlanUnit], in repository: Repository, policy: PlanPolicy) -> GitFacts {
        var facts = GitFacts()
        // A commit counts only if a branch or tag still reaches it: one force-pushed away but kept
        // in a cached mirror's object store is reported as missing, never written.
        let tips = (try? repository.refTips()) ?? []
        for unit in units {
            for observation in unit.observations {
                guard case .success(let sha) = Revision.parse(observation.revision).flatMap({ $0.commit }),
                      facts.commitTimes[sha] == nil, let commit = try? repository.commit(sha), commit.sha == sha,
                      (try? repository.isReachable(commit.id, fromAny: tips)) == true else { continue }
                facts.commitTimes[sha] = commit.committerTime
            }
        }
        guard policy.intermediate == .deployed else { return facts }
        for unit in units {
            let (best, _) = Planner.winningObservations(unit, repository: repository.path, facts: facts, policy: policy)
            let path = policy.intermediatePathAware ? RepoPath.normalise(unit.path) : nil
            for key in Planner.intermediateRanges(applied: best, commitTimes: facts.commitTimes, path: path)
            where facts.intermediates[key] == nil {
                facts.intermediates[key] = (try? between(key, in: repository)) ?? []
            }
        }
        return facts
    }

    /// The first-parent commits strictly between `key.from` and `key.to` (those `to` carried and
    /// `from` does not contain) that touch `key.path`, newest first.
    static func between(_ key: IntermediateKey, in repository: Repository) throws -> [(sha: String, time: Date)] {
        guard let from = ObjectID(hex: key.from), let to = ObjectID(hex: key.to) else { return [] }
        let carried = Set(try repository.carried(after: from, upTo: to).map(\.id)).subtracting([to])
        guard !carried.isEmpty else { return [] }
        var result: [(sha: String, time: Date)] = []
        try repository.walkFirstParent(from: to, paths: [key.path ?? ""]) { walked in
            if walked.id == to { return true }
            guard carried.contains(walked.id) else { return false }
            if !walked.touched.isEmpty {
                result.append((walked.id.hex, Date(timeIntervalSince1970: TimeInterval(walked.committerTime))))
            }
            return true
        }
        return result
    }
}
