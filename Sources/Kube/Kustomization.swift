import Foundation

/// A Flux `Kustomization` (kustomize.toolkit.fluxcd.io v1, or v1beta2 on older clusters).
public struct Kustomization: KubeObject, Equatable {
    /// `Kustomization`.
    public static let kind = "Kustomization"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: Spec
    /// Observed state; absent until the controller first reconciles it.
    public var status: Status?

    /// `spec`.
    public struct Spec: Sendable, Codable, Equatable {
        /// The source the manifests come from.
        public var sourceRef: SourceReference
        /// Path inside the source.
        public var path: String?
        /// Whether reconciliation is suspended.
        public var suspend: Bool?
        /// Reconcile interval as written (`10m`, `1h0m0s`); see `Kustomization.interval`.
        public var interval: String? = nil
    }

    /// `spec.sourceRef`.
    public struct SourceReference: Sendable, Codable, Equatable {
        /// `GitRepository`, `OCIRepository`, `Bucket` or `ExternalArtifact`.
        public var kind: String
        /// Source name.
        public var name: String
        /// Source namespace; defaults to the Kustomization's.
        public var namespace: String?
    }

    /// `status`.
    public struct Status: Sendable, Codable, Equatable {
        /// Conditions (`Ready`, …).
        public var conditions: [Condition]?
        /// Revision last applied successfully (RFC-0005).
        public var lastAppliedRevision: String?
        /// Revision last attempted.
        public var lastAttemptedRevision: String?
        /// Origin revision of the last applied OCI artifact.
        public var lastAppliedOriginRevision: String?
        /// Reconciliation history, newest first (kustomize-controller ≥ v1.7).
        public var history: [Snapshot]?
    }

    /// One `status.history` snapshot. Times are decoded from RFC 3339 (with or without fractional
    /// seconds); a malformed time makes the Kustomization invalid, reported by name and field.
    public struct Snapshot: Sendable, Codable, Equatable {
        /// Digest of the built manifests plus status.
        public var digest: String
        /// First time this snapshot was reconciled.
        public var firstReconciled: Date
        /// Last time this snapshot was reconciled.
        public var lastReconciled: Date
        /// Duration of the last reconciliation (e.g. `2.5s`).
        public var lastReconciledDuration: String?
        /// `ReconciliationSucceeded` or a failure reason.
        public var lastReconciledStatus: String
        /// Number of reconciliations in this snapshot.
        public var totalReconciliations: Int
        /// `revision` and `originRevision`.
        public var metadata: [String: String]?
    }

    /// The `Ready` condition, if any.
    public var readyCondition: Condition? { status?.conditions?.first { $0.type == "Ready" } }
    /// Whether `spec.suspend` is true.
    public var isSuspended: Bool { spec.suspend ?? false }
    /// The namespace of the source (the sourceRef's, else the Kustomization's).
    public var sourceNamespace: String? { spec.sourceRef.namespace ?? metadata.namespace }

    /// The annotation that overrides the commit NC posts statuses on (`event.toolkit.fluxcd.io/commit`).
    public static let commitAnnotation = "event.toolkit.fluxcd.io/commit"
    /// The annotation that adds `summary` to every event of the object (`event.toolkit.fluxcd.io/summary`).
    public static let summaryAnnotation = "event.toolkit.fluxcd.io/summary"

    /// The commit from `event.toolkit.fluxcd.io/commit`, when set and not empty.
    public var eventCommitOverride: String? { metadata.annotations?[Self.commitAnnotation].flatMap { $0.isEmpty ? nil : $0 } }
    /// The summary from `event.toolkit.fluxcd.io/summary`, when set and not empty.
    public var eventSummary: String? { metadata.annotations?[Self.summaryAnnotation].flatMap { $0.isEmpty ? nil : $0 } }

    /// `spec.interval` parsed as a Go duration (`10m`, `1h30m`, `90s`, `1.5h`); nil when absent or malformed.
    public var interval: Duration? { spec.interval.flatMap(GoDuration.parse) }
    /// `spec.interval` as Go prints it (`10m0s`, `1h0m0s`), the way kustomize-controller writes it in
    /// `Reconciliation finished in …, next run in <interval>`.
    public var intervalText: String? { interval.map(GoDuration.format) }
}

extension Kustomization.Snapshot {
    private enum CodingKeys: String, CodingKey {
        case digest, firstReconciled, lastReconciled, lastReconciledDuration, lastReconciledStatus, totalReconciliations, metadata
    }

    /// Decodes a snapshot, reading the two times as RFC 3339.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        digest = try c.decode(String.self, forKey: .digest)
        firstReconciled = try RFC3339.decode(c, .firstReconciled)
        lastReconciled = try RFC3339.decode(c, .lastReconciled)
        lastReconciledDuration = try c.decodeIfPresent(String.self, forKey: .lastReconciledDuration)
        lastReconciledStatus = try c.decode(String.self, forKey: .lastReconciledStatus)
        totalReconciliations = try c.decode(Int.self, forKey: .totalReconciliations)
        metadata = try c.decodeIfPresent([String: String].self, forKey: .metadata)
    }

    /// Encodes the snapshot as the API writes it (times as RFC 3339 strings).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(digest, forKey: .digest)
        try c.encode(RFC3339.format(firstReconciled), forKey: .firstReconciled)
        try c.encode(RFC3339.format(lastReconciled), forKey: .lastReconciled)
        try c.encodeIfPresent(lastReconciledDuration, forKey: .lastReconciledDuration)
        try c.encode(lastReconciledStatus, forKey: .lastReconciledStatus)
        try c.encode(totalReconciliations, forKey: .totalReconciliations)
        try c.encodeIfPresent(metadata, forKey: .metadata)
    }
}
