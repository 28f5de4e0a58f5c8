import Foundation

/// The forge-neutral state of a commit status.
///
/// Writing maps a state to the forge's own word (SPEC section 5); reading maps every word a forge
/// can return back to one of these, so the planner never sees a forge's vocabulary.
public enum CommitState: String, Sendable, Hashable, CaseIterable, Codable {
    /// Work is queued or has not reported yet.
    case pending
    /// Work is under way (GitLab `running`, Bitbucket `INPROGRESS`).
    case running
    /// The deployment succeeded.
    case succeeded
    /// The deployment failed (includes GitHub/Gitea `error`, Azure `error`/`failed`).
    case failed
    /// Work was stopped (GitLab `canceled`, Bitbucket `STOPPED`, Bitbucket DC `CANCELLED`).
    case canceled
    /// Work was skipped or does not apply (GitLab/Gitea `skipped`, Azure `notApplicable`).
    case skipped
    /// A warning that is neither success nor failure (Gitea `warning`).
    case warning
    /// The forge reported no usable state (Azure `notSet`, Bitbucket DC `UNKNOWN`, unknown words).
    case unknown
}

/// One commit status, in forge-neutral terms.
///
/// A status written by fluxstamp carries `sha`, `context`, `state`, `description` and `targetURL`;
/// a status read back also carries what the forge adds: its own state word, creation time, creator
/// and the key the forge identifies the status by.
public struct CommitStatus: Sendable, Hashable {
    /// The full commit SHA (40 hex digits).
    public var sha: String
    /// The context id, e.g. `kustomization/apps/0c9c2e41`. For statuses read from Bitbucket this is
    /// the stored key (the SHA-1 of the context id), because the forge keeps nothing else.
    public var context: String
    /// The forge-neutral state.
    public var state: CommitState
    /// The human description (`reconciliation succeeded`).
    public var description: String
    /// A link shown beside the status, if any.
    public var targetURL: String?
    /// A display title where the forge shows one apart from the key (Bitbucket `name`).
    public var title: String?
    /// When the forge recorded the status (read only).
    public var createdAt: Date?
    /// Who created the status (read only): login, user name or display name.
    public var creator: String?
    /// The forge's own state word as read (`success`, `SUCCESSFUL`, `notApplicable`, …).
    public var forgeState: String?
    /// The identity the forge keys statuses by (read only): see `CommitStatusForge.statusKey(forContext:)`.
    public var forgeKey: String?
    /// The branch or tag the commit was deployed from (the tracked branch, or the tag of a
    /// `ref.tag`/`ref.semver` source), when known. GitLab is sent it as `ref`: without one GitLab
    /// picks a branch containing the commit, and answers 404 when only a tag or a deleted branch
    /// reaches it. Other forges ignore it.
    public var ref: String?

    /// A status to write (or as read, when the read-only fields are given).
    public init(
        sha: String, context: String, state: CommitState, description: String,
        targetURL: String? = nil, title: String? = nil, createdAt: Date? = nil,
        creator: String? = nil, forgeState: String? = nil, forgeKey: String? = nil, ref: String? = nil
    ) {
        self.sha = sha
        self.context = context
        self.state = state
        self.description = description
        self.targetURL = targetURL
        self.title = title
        self.createdAt = createdAt
        self.creator = creator
        self.forgeState = forgeState
        self.forgeKey = forgeKey
        self.ref = ref
    }
}
