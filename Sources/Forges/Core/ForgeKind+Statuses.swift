import Foundation

/// How each forge stores and compares a commit status, as pure functions of the forge kind, so the
/// (pure) planner, the tests and the benchmark share one "what differs" rule without a client.
///
/// Sources: SPEC section 5 (state words) and section 7 (identity of a status, stored fields).
extension ForgeKind {
    /// The Azure DevOps status genre notification-controller posts (`{genre: "fluxcd", name: id}`).
    public static let azureDevOpsGenre = "fluxcd"

    /// The identity the forge keys a status by, for a context id: GitHub compares contexts
    /// case-insensitively; Bitbucket (Cloud and Data Center) keys are the SHA-1 hex of the id;
    /// Azure DevOps keys by `genre/name` (genre `fluxcd`); GitLab and Gitea by the name as given.
    public func statusKey(forContext context: String) -> String {
        switch self {
        case .github: context.lowercased()
        case .gitlab, .gitea: context
        case .bitbucket, .bitbucketserver: BitbucketKey.key(forContext: context)
        case .azuredevops: "\(Self.azureDevOpsGenre)/\(context)"
        }
    }

    /// The forge's word for a neutral state when writing (SPEC section 5: succeeded and failed as
    /// notification-controller writes them; the nearest word for every other state).
    public func forgeState(for state: CommitState) -> String {
        switch self {
        case .github:
            switch state {
            case .succeeded, .skipped: "success"
            case .failed, .warning: "failure"
            case .pending, .running, .unknown: "pending"
            case .canceled: "error"
            }
        case .gitlab:
            switch state {
            case .succeeded: "success"
            case .failed, .warning: "failed"
            case .pending, .unknown: "pending"
            case .running: "running"
            case .canceled: "canceled"
            case .skipped: "skipped"
            }
        case .gitea:
            switch state {
            case .succeeded: "success"
            case .failed: "failure"
            case .pending, .running, .unknown: "pending"
            case .canceled: "error"
            case .warning, .skipped: "warning"
            }
        case .bitbucket:
            switch state {
            case .succeeded, .skipped: "SUCCESSFUL"
            case .failed, .warning: "FAILED"
            case .pending, .running, .unknown: "INPROGRESS"
            case .canceled: "STOPPED"
            }
        case .bitbucketserver:
            switch state {
            case .succeeded, .skipped: "SUCCESSFUL"
            case .failed, .warning: "FAILED"
            case .pending, .running: "INPROGRESS"
            case .canceled: "CANCELLED"
            case .unknown: "UNKNOWN"
            }
        case .azuredevops:
            switch state {
            case .succeeded: "succeeded"
            case .failed, .warning: "error"
            case .pending, .running: "pending"
            case .canceled, .skipped: "notApplicable"
            case .unknown: "notSet"
            }
        }
    }

    /// The description as the forge stores it, so a read-back compares equal to what was sent:
    /// GitHub keeps at most 140 code points (Unicode scalars, not grapheme clusters: GitHub answers
    /// 422 past 140 scalars); GitLab 255 code points (Rails counts characters as code points);
    /// Bitbucket Cloud 255 code points; Gitea/Forgejo trim surrounding whitespace before storing
    /// (`strings.TrimSpace`); Bitbucket Data Center and Azure DevOps store it whole.
    public func storedDescription(_ description: String) -> String {
        switch self {
        case .github: description.prefix(codePoints: 140)
        case .gitlab, .bitbucket: description.prefix(codePoints: 255)
        case .gitea: description.trimmingCharacters(in: .whitespacesAndNewlines)
        case .bitbucketserver, .azuredevops: description
        }
    }

    /// Whether `current` (read from this forge, with the same key) already says what `wanted` says:
    /// THE "what differs" rule. The forge state words must be equal (case-insensitively, since
    /// GitHub's GraphQL answers upper case), and the stored description must equal what the forge
    /// would store for `wanted`; except that a pending or running status that the forge already
    /// shows as that same word counts as shown whatever its description, because GitLab refuses to
    /// repeat those states ("Cannot transition status") and a wait is not worth a new status.
    public func shows(_ wanted: CommitStatus, current: CommitStatus) -> Bool {
        let want = forgeState(for: wanted.state)
        let have = current.forgeState ?? forgeState(for: current.state)
        guard want.lowercased() == have.lowercased() else { return false }
        if wanted.state == .pending || wanted.state == .running { return true }
        return current.description == storedDescription(wanted.description)
    }

    /// Every state word this forge returns, mapped back to the neutral state.
    public func commitState(forgeWord word: String) -> CommitState {
        switch self {
        case .github:
            switch word.lowercased() {
            case "success": .succeeded
            case "failure", "error": .failed
            case "pending", "expected": .pending
            default: .unknown
            }
        case .gitlab:
            switch word {
            case "success": .succeeded
            case "failed": .failed
            case "pending", "created", "waiting_for_resource", "preparing", "scheduled", "manual": .pending
            case "running": .running
            case "canceled", "canceling": .canceled
            case "skipped": .skipped
            default: .unknown
            }
        case .gitea:
            switch word {
            case "success": .succeeded
            case "failure", "error": .failed
            case "pending": .pending
            case "warning": .warning
            case "skipped": .skipped
            default: .unknown
            }
        case .bitbucket:
            switch word {
            case "SUCCESSFUL": .succeeded
            case "FAILED": .failed
            case "INPROGRESS": .running
            case "STOPPED": .canceled
            default: .unknown
            }
        case .bitbucketserver:
            switch word {
            case "SUCCESSFUL": .succeeded
            case "FAILED": .failed
            case "INPROGRESS": .running
            case "CANCELLED": .canceled
            default: .unknown
            }
        case .azuredevops:
            switch word {
            case "succeeded": .succeeded
            case "failed", "error": .failed
            case "pending": .pending
            case "notApplicable": .skipped
            default: .unknown
            }
        }
    }

    /// Whether a POST of a status appends a new one (GitHub, Gitea/Forgejo, Azure DevOps; GitLab
    /// too, unless a status of that name is still pending or running, which it updates), so a
    /// write whose answer was lost must not be re-posted blindly. Bitbucket overwrites by key, so a
    /// repeat is harmless there.
    public var appendsOnEveryWrite: Bool {
        switch self {
        case .github, .gitlab, .gitea, .azuredevops: true
        case .bitbucket, .bitbucketserver: false
        }
    }
}

extension String {
    /// At most `limit` Unicode scalars (code points), never splitting one.
    func prefix(codePoints limit: Int) -> String {
        unicodeScalars.count <= limit ? self : String(String.UnicodeScalarView(unicodeScalars.prefix(limit)))
    }
}
