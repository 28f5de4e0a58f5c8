import Foundation

// What `Audit.report(_:)` computes from: plain values gathered beforehand (Gather/), so the
// computation itself does no I/O and is tested with exact values (Tests/AuditTests).

/// Whether an attempt to deploy a revision succeeded or failed.
public enum DeploymentOutcome: String, Sendable, Hashable, Codable, CaseIterable {
    /// Applied and healthy.
    case succeeded
    /// Failed to build, apply, prune or pass health checks.
    case failed
}

/// Which record a deployment fact was read from.
public enum FactOrigin: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// The Kustomization's current status (Ready condition, last applied revision).
    case status
    /// A `status.history` snapshot (kustomize-controller ≥ v1.7, at most five kept).
    case history
    /// A Kubernetes Event of kustomize-controller (kept about an hour).
    case event
    /// What an earlier fluxstamp run recorded in the ledger.
    case ledger
    /// A commit status already on the forge (posted by notification-controller or fluxstamp).
    case forge

    /// Orders origins as the report lists them.
    public static func < (lhs: FactOrigin, rhs: FactOrigin) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One record saying that a revision of a Kustomization succeeded or failed, and when.
public struct DeploymentFact: Sendable, Hashable {
    /// The revision as Flux wrote it (`main@sha1:…`), or the bare sha for a forge status.
    public var revision: String
    /// The commit, when the revision names one.
    public var sha: String?
    /// Succeeded or failed.
    public var outcome: DeploymentOutcome
    /// Flux's reason (`ReconciliationSucceeded`, `HealthCheckFailed`, …), when known.
    public var reason: String
    /// Flux's message, when known.
    public var message: String
    /// Where it was read.
    public var origin: FactOrigin
    /// When it happened by this record (a snapshot's `firstReconciled`, an event's first time, a
    /// status's creation time, the ledger's reported time); nil when the record does not say.
    public var firstTime: Date?
    /// When this record last saw it true (a snapshot's `lastReconciled`, an event's last time,
    /// the ledger's last run, now for the live state); nil when the record does not say.
    public var lastTime: Date?

    /// A fact.
    public init(
        revision: String, sha: String?, outcome: DeploymentOutcome, reason: String = "", message: String = "",
        origin: FactOrigin, firstTime: Date?, lastTime: Date?
    ) {
        self.revision = revision
        self.sha = sha
        self.outcome = outcome
        self.reason = reason
        self.message = message
        self.origin = origin
        self.firstTime = firstTime
        self.lastTime = lastTime
    }
}

/// The Kustomization's Ready condition and applied revision now.
public struct LiveStatus: Sendable, Hashable {
    /// `status.lastAppliedRevision` (its origin revision for OCI sources).
    public var revision: String?
    /// Its commit.
    public var sha: String?
    /// The Ready condition's status (`True`, `False`, `Unknown`), nil without one.
    public var ready: String?
    /// The Ready condition's reason.
    public var reason: String
    /// The Ready condition's message.
    public var message: String

    /// A live status.
    public init(revision: String?, sha: String?, ready: String?, reason: String = "", message: String = "") {
        self.revision = revision
        self.sha = sha
        self.ready = ready
        self.reason = reason
        self.message = message
    }
}

/// One Kustomization of one cluster with every fact found about it.
public struct KustomizationFacts: Sendable {
    /// Namespace.
    public var namespace: String
    /// Name.
    public var name: String
    /// `spec.path` as written.
    public var path: String
    /// The git repository's URL (nil when the source has none).
    public var repository: String?
    /// The tracked branch (`spec.ref.branch` of the GitRepository), nil when it tracks a tag,
    /// semver range or commit.
    public var branch: String?
    /// `spec.suspend`.
    public var suspended: Bool
    /// Why the source has no git commits (Bucket, ExternalArtifact, OCI without origin); nil for git.
    public var unsupportedSource: String?
    /// The status now; nil when the Kustomization was read only from the ledger.
    public var live: LiveStatus?
    /// Every fact from every origin, in any order (merged by `Audit.report`).
    public var facts: [DeploymentFact]
    /// Which `AuditInput.histories` entry holds its branch (nil: no git history for it).
    public var history: BranchKey?

    /// A Kustomization's facts.
    public init(
        namespace: String, name: String, path: String, repository: String?, branch: String?, suspended: Bool = false,
        unsupportedSource: String? = nil, live: LiveStatus?, facts: [DeploymentFact], history: BranchKey? = nil
    ) {
        self.history = history
        self.namespace = namespace
        self.name = name
        self.path = path
        self.repository = repository
        self.branch = branch
        self.suspended = suspended
        self.unsupportedSource = unsupportedSource
        self.live = live
        self.facts = facts
    }
}

/// One cluster's Kustomizations.
public struct ClusterFacts: Sendable {
    /// The cluster's name (kubeconfig context or `--cluster-name`).
    public var name: String
    /// Its Kustomizations, in any order.
    public var kustomizations: [KustomizationFacts]

    /// A cluster.
    public init(name: String, kustomizations: [KustomizationFacts]) {
        self.name = name
        self.kustomizations = kustomizations
    }
}

/// Author, subject and time of one commit.
public struct CommitDetails: Sendable, Hashable {
    /// The 40-character sha.
    public var sha: String
    /// Author name.
    public var author: String
    /// First line of the message.
    public var subject: String
    /// Committer time.
    public var committerTime: Date

    /// Details of a commit.
    public init(sha: String, author: String, subject: String, committerTime: Date) {
        self.sha = sha
        self.author = author
        self.subject = subject
        self.committerTime = committerTime
    }
}

/// One commit of a tracked branch's first-parent chain.
public struct ChainCommit: Sendable, Hashable {
    /// The 40-character sha.
    public var sha: String
    /// Committer time.
    public var committerTime: Date
    /// Author and subject; read for commits that touch a watched path (nil for the others).
    public var details: CommitDetails?
    /// Indices into `BranchHistory.paths` of the paths it touched compared with its first parent.
    public var touched: [Int]

    /// A chain commit.
    public init(sha: String, committerTime: Date, details: CommitDetails? = nil, touched: [Int]) {
        self.sha = sha
        self.committerTime = committerTime
        self.details = details
        self.touched = touched
    }
}

/// Identifies a tracked branch of a repository.
public struct BranchKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The repository URL, normalised (`RepositoryAddress.key`).
    public var repository: String
    /// The branch name.
    public var branch: String

    /// A key.
    public init(repository: String, branch: String) {
        self.repository = repository
        self.branch = branch
    }

    /// `repository@branch`.
    public var description: String { "\(repository)@\(branch)" }

    /// Orders by repository, then branch.
    public static func < (lhs: BranchKey, rhs: BranchKey) -> Bool { (lhs.repository, lhs.branch) < (rhs.repository, rhs.branch) }
}

/// What git says about one tracked branch: its first-parent chain from the tip down as far as
/// the deployments asked about reach, with which watched paths each commit touched.
public struct BranchHistory: Sendable {
    /// The branch's tip now.
    public var tip: String?
    /// The watched paths as Kustomizations name them (`spec.path`); `ChainCommit.touched` indexes it.
    public var paths: [String]
    /// First-parent commits from the tip, newest first, down to where the walk stopped.
    public var commits: [ChainCommit]
    /// Shas of deployed commits the branch still reaches although they are not on the walked chain
    /// (a merged side branch); a deployed sha in neither is not on the branch (force-pushed away).
    public var reachable: Set<String>
    /// Deployed shas the repository does not have at all.
    public var missing: Set<String>
    /// Details of deployed commits (live and deployment commits), by sha.
    public var details: [String: CommitDetails]
    /// Why the history could not be read (the repository could not be fetched), if so.
    public var unreadable: String?

    /// A branch history.
    public init(
        tip: String?, paths: [String], commits: [ChainCommit], reachable: Set<String> = [], missing: Set<String> = [],
        details: [String: CommitDetails] = [:], unreadable: String? = nil
    ) {
        self.tip = tip
        self.paths = paths
        self.commits = commits
        self.reachable = reachable
        self.missing = missing
        self.details = details
        self.unreadable = unreadable
    }
}

/// Everything one report is computed from.
public struct AuditInput: Sendable {
    /// Start of the window (deployments first seen before it are only used as the previous one).
    public var since: Date
    /// End of the window; facts after it are ignored.
    public var until: Date
    /// When the report is made (pending ages are measured to `min(now, until)`).
    public var now: Date
    /// The clusters, in report order.
    public var clusters: [ClusterFacts]
    /// The tracked branches' histories.
    public var histories: [BranchKey: BranchHistory]
    /// How many recent commits the multi-cluster matrix lists per repository.
    public var matrixCommits: Int

    /// An input.
    public init(
        since: Date, until: Date, now: Date, clusters: [ClusterFacts], histories: [BranchKey: BranchHistory],
        matrixCommits: Int = 20
    ) {
        self.since = since
        self.until = until
        self.now = now
        self.clusters = clusters
        self.histories = histories
        self.matrixCommits = matrixCommits
    }
}
