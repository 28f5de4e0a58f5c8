import Forges
import Foundation

/// Why a write is planned.
public enum WriteReason: Sendable, Hashable, CustomStringConvertible {
    /// The commit has no status in this context.
    case missing
    /// A failure is shown for a commit that is now applied successfully.
    case ghostFailure
    /// A success is shown for a revision that now fails.
    case wrongSuccess
    /// A pending or running status never resolved.
    case stalePending
    /// The status says something else (another description or state).
    case outdated
    /// An intermediate commit deployed with a later revision.
    case intermediate(carriedBy: String)
    /// A status notification-controller v1.9 would never post, left by an older version: a success
    /// saying `dependency not ready` or `health check canceled` (NC up to v1.7 posted info events),
    /// or a pending/progressing status on Gitea. Corrected whatever its age.
    case olderNotificationController

    public var description: String {
        switch self {
        case .missing: return "missing"
        case .ghostFailure: return "ghost failure"
        case .wrongSuccess: return "wrong success"
        case .stalePending: return "stale pending"
        case .outdated: return "outdated"
        case .intermediate(let by): return "deployed with \(by.prefix(7))"
        case .olderNotificationController: return "left by an older notification-controller"
        }
    }
}

/// One status to write.
public struct PlannedWrite: Sendable, Hashable {
    /// Where it goes.
    public var target: StatusTarget
    /// The status itself.
    public var status: CommitStatus
    /// Why.
    public var reason: WriteReason
    /// What the forge shows now in this context, if anything.
    public var current: CommitStatus?
    /// The Kustomization it comes from.
    public var kustomization: KustomizationID
    /// The commit's committer time (writes go newest first).
    public var commitTime: Date?
}

/// Why something was not written.
public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
    /// The revision names no commit (junk, OCI digest without origin, …).
    case noCommit(String)
    /// The commit is not in the repository (force-pushed away, wrong repository).
    case commitMissing(sha: String, repository: String)
    /// The source kind has no commits (Bucket, ExternalArtifact).
    case unsupportedSource(String)
    /// The source repository could not be opened or fetched (the problem says why).
    case repositoryUnreadable(String)
    /// No forge repository to write to.
    case noTarget(String)
    /// A newer status in the same context says otherwise; it is left alone.
    case newerStatusDisagrees(context: String, current: CommitState)
    /// Older than `--since`.
    case beyondHorizon
    /// Over `--max-writes`; a later run writes it.
    case budget
    /// Whether notification-controller would post it depends on what fluxstamp cannot know for a
    /// past fact (an event's message or time, say); nothing is written on a guess.
    case notReproducible(String)
    /// The Provider's `spec.commitStatusExpr` cannot be evaluated (notification-controller fails
    /// on it too, e.g. a missing map key), or uses CEL fluxstamp does not implement.
    case commitStatusExpression(String)

    /// A short key for counting skips by reason in summaries.
    public var category: String {
        switch self {
        case .noCommit: return "no commit"
        case .commitMissing: return "commit missing"
        case .unsupportedSource: return "unsupported source"
        case .repositoryUnreadable: return "repository unreadable"
        case .noTarget: return "no forge"
        case .newerStatusDisagrees: return "newer status"
        case .beyondHorizon: return "beyond horizon"
        case .budget: return "write budget"
        case .notReproducible: return "not reproducible"
        case .commitStatusExpression: return "commitStatusExpr"
        }
    }

    public var description: String {
        switch self {
        case .noCommit(let why): return why
        case .commitMissing(let sha, let repository):
            return "commit \(sha) is not in \(repository) (force-pushed away, or the wrong repository)"
        case .unsupportedSource(let why), .repositoryUnreadable(let why): return why
        case .noTarget(let why): return why
        case .newerStatusDisagrees(let context, let current):
            return "a newer \(current.rawValue) status in \(context) disagrees; left alone"
        case .beyondHorizon: return "older than --since"
        case .budget: return "over --max-writes; a later run writes it"
        case .notReproducible(let why): return "not reproducible: \(why); left alone"
        case .commitStatusExpression(let why): return why
        }
    }
}

/// One thing not written, and why.
public struct PlannedSkip: Sendable, Hashable {
    /// The Kustomization it concerns.
    public var kustomization: KustomizationID
    /// The revision or commit it concerns.
    public var revision: String
    /// Where it would have gone, if known.
    public var target: StatusTarget?
    /// Why it is skipped.
    public var reason: SkipReason
}

/// The planner's answer: what to write, what not and why, and how much already agrees.
public struct Plan: Sendable {
    /// Writes, newest commit first, within the budget.
    public var writes: [PlannedWrite]
    /// Skips, each with its reason.
    public var skips: [PlannedSkip]
    /// Desired statuses the forge already shows.
    public var unchanged: Int
    /// Observations considered.
    public var observed: Int
}
