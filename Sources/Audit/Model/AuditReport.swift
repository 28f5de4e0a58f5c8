import Foundation

// What `Audit.report(_:)` returns: one value every format (Markdown, JSON, CSV, HTML, DevLake) is
// rendered from, so they cannot disagree. The fields and their meaning are in docs/audit.md.

/// A commit a deployment carried, with its lead time.
public struct CarriedCommitReport: Sendable, Hashable {
    /// The 40-character sha.
    public var sha: String
    /// Author name ("" when not read).
    public var author: String
    /// First line of the message ("" when not read).
    public var subject: String
    /// Committer time.
    public var committerTime: Date
    /// First seen deployed − committer time, in seconds (successful deployments with a known first time only).
    public var leadTimeSeconds: Int?
}

/// One attempt to deploy a revision, with every record of it merged.
public struct DeploymentReport: Sendable, Hashable {
    /// The revision as Flux wrote it (the newest spelling among the records).
    public var revision: String
    /// Its commit, when the revision names one.
    public var sha: String?
    /// Succeeded or failed.
    public var outcome: DeploymentOutcome
    /// The earliest time any record gives for it; nil when none does.
    public var firstSeen: Date?
    /// The latest time any record saw it true.
    public var lastSeen: Date?
    /// The records it was found in.
    public var origins: [FactOrigin]
    /// Flux's reason (from the newest record that has one).
    public var reason: String
    /// Flux's message (from the newest record that has one).
    public var message: String
    /// The previous successful deployment's sha (the lower end of the carried range), nil when unknown.
    public var previousSha: String?
    /// Whether the carried commits are known (the previous deployment and this one lie on the walked chain).
    public var carriedKnown: Bool
    /// The first-parent commits after the previous deployment up to this one that touched the path, newest first.
    public var commits: [CarriedCommitReport]
    /// How many commits of that range did not touch the path.
    public var otherCommits: Int
    /// Whether it changed something the Kustomization builds (a carried commit touched the path, or
    /// the range is unknown): only these count in the DORA figures.
    public var changed: Bool
}

/// A failed deployment and what ended it.
public struct FailureReport: Sendable, Hashable {
    /// The failed revision.
    public var revision: String
    /// Its commit.
    public var sha: String?
    /// Flux's reason.
    public var reason: String
    /// Flux's message.
    public var message: String
    /// When the failure was first seen.
    public var firstSeen: Date?
    /// The first successful deployment first seen after it, if any.
    public var restoredBy: String?
    /// When that success was first seen.
    public var restoredAt: Date?
    /// restoredAt − firstSeen, in seconds; nil while not restored.
    public var timeToRestoreSeconds: Int?
}

/// A commit on the tracked branch, touching the path, not deployed yet.
public struct PendingCommit: Sendable, Hashable {
    /// The 40-character sha.
    public var sha: String
    /// Author name.
    public var author: String
    /// First line of the message.
    public var subject: String
    /// Committer time.
    public var committerTime: Date
    /// Report time − committer time, in seconds.
    public var ageSeconds: Int
}

/// Something a reader should know about a Kustomization's record.
public struct Anomaly: Sendable, Hashable {
    /// What kind.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A deployed revision that the tracked branch no longer reaches (force push, or another branch).
        case notOnBranch
        /// A deployed revision the repository does not have.
        case commitMissing
        /// `spec.suspend: true`: Flux applies nothing new.
        case suspended
        /// The source has no git commits (Bucket, ExternalArtifact, OCI without origin).
        case sourceNotGit
        /// The repository could not be read, so commits and lead times are missing.
        case historyUnavailable
    }

    /// What kind.
    public var kind: Kind
    /// The commit concerned, if one.
    public var sha: String?
    /// One line saying what and why.
    public var detail: String
}

/// The live state of a Kustomization.
public struct LiveReport: Sendable, Hashable {
    /// The applied revision.
    public var revision: String?
    /// Its commit's details, when known.
    public var commit: CommitDetails?
    /// The applied revision's sha.
    public var sha: String?
    /// Ready condition status.
    public var ready: String?
    /// Ready condition reason.
    public var reason: String
    /// Ready condition message.
    public var message: String
}

/// The DORA four over a window, with the counts behind them.
public struct DORAFigures: Sendable, Hashable {
    /// Successful changing deployments first seen in the window.
    public var deployments: Int
    /// Failed changing deployments first seen in the window.
    public var failedDeployments: Int
    /// The window's length in days.
    public var days: Double
    /// deployments / days.
    public var deploymentsPerDay: Double
    /// How many (deployment, commit) lead times were measured.
    public var leadTimeSamples: Int
    /// Median lead time in seconds (nil without samples).
    public var leadTimeMedianSeconds: Double?
    /// 90th percentile (nearest rank) lead time in seconds.
    public var leadTimeP90Seconds: Double?
    /// failedDeployments / (deployments + failedDeployments); nil without any.
    public var changeFailureRate: Double?
    /// How many failures were restored.
    public var restoreSamples: Int
    /// Median time to restore in seconds.
    public var timeToRestoreMedianSeconds: Double?
}

/// One Kustomization's report.
public struct KustomizationReport: Sendable, Hashable {
    /// Cluster name.
    public var cluster: String
    /// Namespace.
    public var namespace: String
    /// Name.
    public var name: String
    /// `spec.path`.
    public var path: String
    /// Repository URL.
    public var repository: String?
    /// Tracked branch.
    public var branch: String?
    /// Whether it is suspended.
    public var suspended: Bool
    /// The live state, nil when read only from the ledger.
    public var live: LiveReport?
    /// Deployments first seen in the window, newest first.
    public var deployments: [DeploymentReport]
    /// Failed deployments first seen in the window, newest first.
    public var failures: [FailureReport]
    /// Commits on the tracked branch touching the path, newer than the live revision, newest first.
    public var pending: [PendingCommit]
    /// What is unusual.
    public var anomalies: [Anomaly]
    /// DORA figures of this Kustomization.
    public var dora: DORAFigures
}

/// One cluster's report.
public struct ClusterReport: Sendable, Hashable {
    /// Cluster name.
    public var name: String
    /// Its Kustomizations, by namespace and name.
    public var kustomizations: [KustomizationReport]
    /// DORA over its Kustomizations.
    public var dora: DORAFigures
}

/// One row of the multi-cluster matrix: a recent commit and where it is deployed.
public struct MatrixRow: Sendable, Hashable {
    /// Where a commit stands in one cluster.
    public enum Cell: Sendable, Hashable {
        /// First seen deployed at this time (the earliest over the cluster's Kustomizations watching it).
        case deployed(Date?)
        /// Not deployed yet where a Kustomization watches a path it touched.
        case pending
        /// No Kustomization of the cluster watches a path it touched (or nothing is known).
        case notWatched
    }

    /// The repository (normalised URL).
    public var repository: String
    /// The commit.
    public var commit: CommitDetails
    /// Cluster name → cell, one per cluster of the report.
    public var cells: [String: Cell]
}

/// The whole report.
public struct AuditReport: Sendable, Hashable {
    /// The JSON schema version (docs/audit.md).
    public static let schemaVersion = 1
    /// When it was made.
    public var generatedAt: Date
    /// Window start.
    public var since: Date
    /// Window end.
    public var until: Date
    /// Clusters, in the order given.
    public var clusters: [ClusterReport]
    /// DORA over every Kustomization of every cluster.
    public var dora: DORAFigures
    /// Recent commits × clusters, newest first.
    public var matrix: [MatrixRow]
}
