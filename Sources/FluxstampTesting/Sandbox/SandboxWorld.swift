import Foundation

/// What the sandbox put in the cluster and on the forge: enough for tests and the demo to know
/// which commits each Kustomization applied, without reading the emulators back.
public struct SandboxWorld: Sendable {
    /// The Kustomizations, in the order they were made.
    public var kustomizations: [SandboxKustomization]
    /// The uid of each Flux Provider, by name.
    public var providerUIDs: [String: String]
    /// The token the GitHub emulator accepts (also in Secret `flux-system/github-token`, key `token`).
    public var githubToken: String
    /// Statuses pre-loaded on the GitHub emulator (what notification-controller left), oldest first.
    public var seededStatuses: [SeededStatus]
    /// The multi-document YAML loaded into the Kubernetes emulator.
    public var fixtures: String
}

/// A status the sandbox put on the GitHub emulator before any run.
public struct SeededStatus: Sendable, Hashable {
    /// `owner/repo`.
    public var repository: String
    /// Commit sha.
    public var sha: String
    /// Context.
    public var context: String
    /// GitHub state (`success`, `failure`).
    public var state: String
    /// Description.
    public var description: String
    /// Creation time (seconds since 1970).
    public var time: Int
    /// Whether it contradicts the cluster (a failure on a commit now applied successfully).
    public var isGhostFailure: Bool
}

/// One Kustomization of the sandbox.
public struct SandboxKustomization: Sendable {
    /// Name (namespace `flux-system`).
    public var name: String
    /// `spec.path`, e.g. `./apps/staging`.
    public var path: String
    /// The GitRepository it reads.
    public var source: String
    /// The repository it deploys, e.g. `https://github.com/acme/fleet`.
    public var repositoryURL: String
    /// Reconcile interval (`spec.interval`).
    public var interval: String
    /// The commit status id notification-controller uses (`kustomization/<name>/<uid prefix>`).
    public var context: String
    /// Labels.
    public var labels: [String: String] = [:]
    /// sha of `status.lastAppliedRevision`.
    public var lastAppliedSha: String
    /// sha of `status.lastAttemptedRevision`.
    public var lastAttemptedSha: String
    /// nil when Ready=True; else the failure reason (e.g. `HealthCheckFailed`) and message.
    public var failure: (reason: String, message: String)?
    /// `status.history`, newest first.
    public var history: [SandboxSnapshot]

    /// `main@sha1:<lastAppliedSha>`.
    public var lastAppliedRevision: String { "main@sha1:\(lastAppliedSha)" }
    /// `main@sha1:<lastAttemptedSha>`.
    public var lastAttemptedRevision: String { "main@sha1:\(lastAttemptedSha)" }
}

/// One `status.history` entry.
public struct SandboxSnapshot: Sendable, Hashable {
    /// The commit (`metadata.revision` = `main@sha1:<sha>`).
    public var sha: String
    /// `lastReconciledStatus`, e.g. `ReconciliationSucceeded` or `HealthCheckFailed`.
    public var status: String
    /// `firstReconciled` (seconds since 1970).
    public var firstReconciled: Int
    /// `lastReconciled` (seconds since 1970).
    public var lastReconciled: Int
    /// `totalReconciliations`.
    public var total: Int
    /// Whether the snapshot is a success.
    public var succeeded: Bool { status == "ReconciliationSucceeded" }
}
