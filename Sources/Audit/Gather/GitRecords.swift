import Foundation
import GitHistory

/// What git says about one tracked branch, read in one first-parent walk for every watched path.
public enum GitRecords {
    /// A day of slack under the oldest deployed commit's time: first-parent chains are not strictly
    /// ordered by committer time (rebases, clock skew).
    static let slack: TimeInterval = 86_400

    /// Reads `branch` of `repository`: its first-parent chain from the tip, newest first, with the
    /// `paths` each commit touched (author and subject of the commits that touched one), down to
    /// the window's start and past every deployed commit the branch reaches on that chain.
    ///
    /// `deployed` are the shas the Kustomizations' facts name: each is looked up once (its
    /// details, whether the repository has it, whether the branch reaches it), then the walk
    /// stops when all of them that the branch reaches were passed, or a day below the oldest.
    public static func history(
        _ repository: Repository, branch: String, paths: [String], deployed: Set<String>, since: Date
    ) async throws -> BranchHistory {
        try await repository.withRepository { repo in
            let tip = try tipOf(branch, in: repo)
            var details: [String: CommitDetails] = [:]
            var missing: Set<String> = []
            var ids: Set<ObjectID> = []
            for sha in deployed.sorted() {
                guard let id = ObjectID(hex: sha), let commit = try? repo.commit(sha), commit.sha == sha else {
                    missing.insert(sha)
                    continue
                }
                ids.insert(id)
                details[sha] = CommitDetails(commit)
            }
            let reached = try repo.reachable(ids, fromAny: [tip])
            var waiting = Set(reached.map(\.hex))
            let oldest = waiting.compactMap { details[$0]?.committerTime }.min()
            let floor = min(oldest ?? since, since).addingTimeInterval(-slack)
            var commits: [ChainCommit] = []
            try repo.walkFirstParent(from: tip, paths: paths, details: .touching) { walked in
                let time = Date(timeIntervalSince1970: TimeInterval(walked.committerTime))
                if waiting.isEmpty && time < since { return false }
                if time < floor { return false }
                let sha = walked.id.hex
                waiting.remove(sha)
                commits.append(
                    ChainCommit(sha: sha, committerTime: time, details: walked.details.map(CommitDetails.init), touched: walked.touched))
                return true
            }
            let onChain = Set(commits.map(\.sha))
            return BranchHistory(
                tip: tip.hex, paths: paths, commits: commits,
                reachable: Set(reached.map(\.hex)).subtracting(onChain), missing: missing, details: details)
        }
    }

    /// The branch's tip: a bare mirror's `refs/heads/<branch>`, else a clone's remote-tracking branch.
    static func tipOf(_ branch: String, in repo: Repository) throws -> ObjectID {
        var firstError: (any Error)?
        for spec in ["refs/heads/\(branch)", "refs/remotes/origin/\(branch)"] {
            do { return try repo.resolve(spec) } catch {
                if firstError == nil { firstError = error }
            }
        }
        throw firstError!
    }
}

extension CommitDetails {
    /// The details GitHistory read.
    init(_ commit: Commit) {
        self.init(sha: commit.sha, author: commit.authorName, subject: commit.subject, committerTime: commit.committerTime)
    }
}
