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

    /// One `status.history` snapshot.
    public struct Snapshot: Sendable, Codable, Equatable {
        /// Digest of the built manifests plus status.
        public var digest: String
        /// First time this snapshot was reconciled (RFC 3339).
        public var firstReconciled: String
        /// Last time this snapshot was reconciled (RFC 3339).
        public var lastReconciled: String
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
}
