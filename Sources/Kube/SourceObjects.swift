/// A Flux `GitRepository` (source.toolkit.fluxcd.io v1 / v1beta2).
public struct GitRepository: KubeObject, Equatable {
    /// `GitRepository`.
    public static let kind = "GitRepository"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: Spec
    /// Observed state.
    public var status: SourceStatus?

    /// `spec`.
    public struct Spec: Sendable, Codable, Equatable {
        /// Repository URL (https or ssh).
        public var url: String
        /// Which ref to track.
        public var ref: Ref?
        /// Secret with credentials.
        public var secretRef: LocalObjectReference?
    }

    /// `spec.ref`.
    public struct Ref: Sendable, Codable, Equatable {
        /// Branch.
        public var branch: String?
        /// Tag.
        public var tag: String?
        /// SemVer range.
        public var semver: String?
        /// Full ref name (`refs/...`).
        public var name: String?
        /// Commit SHA.
        public var commit: String?

        /// A short description: `branch main`, `tag v1`, …
        public var summary: String {
            if let commit { return "commit \(commit)" }
            if let name { return "ref \(name)" }
            if let semver { return "semver \(semver)" }
            if let tag { return "tag \(tag)" }
            if let branch { return "branch \(branch)" }
            return "default branch"
        }
    }
}

/// A Flux `OCIRepository` (source.toolkit.fluxcd.io v1 / v1beta2).
public struct OCIRepository: KubeObject, Equatable {
    /// `OCIRepository`.
    public static let kind = "OCIRepository"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: Spec
    /// Observed state.
    public var status: SourceStatus?

    /// `spec`.
    public struct Spec: Sendable, Codable, Equatable {
        /// `oci://` URL.
        public var url: String
        /// Which artifact to track.
        public var ref: Ref?
        /// Secret with registry credentials.
        public var secretRef: LocalObjectReference?
    }

    /// `spec.ref`.
    public struct Ref: Sendable, Codable, Equatable {
        /// Tag.
        public var tag: String?
        /// SemVer range.
        public var semver: String?
        /// Digest.
        public var digest: String?

        /// A short description.
        public var summary: String {
            if let digest { return "digest \(digest)" }
            if let semver { return "semver \(semver)" }
            return "tag \(tag ?? "latest")"
        }
    }

    /// The git repository the artifact was built from (`org.opencontainers.image.source`).
    public var originSource: String? { status?.artifact?.metadata?["org.opencontainers.image.source"] }
    /// The git revision the artifact was built from (`org.opencontainers.image.revision`).
    public var originRevision: String? { status?.artifact?.metadata?["org.opencontainers.image.revision"] }
}

/// `status` of a source: conditions and the current artifact.
public struct SourceStatus: Sendable, Codable, Equatable {
    /// Conditions.
    public var conditions: [Condition]?
    /// The last artifact produced.
    public var artifact: Artifact?
}

/// `status.artifact` of a source.
public struct Artifact: Sendable, Codable, Equatable {
    /// RFC-0005 revision, e.g. `main@sha1:…` or `latest@sha256:…`.
    public var revision: String
    /// Digest of the artifact tarball.
    public var digest: String?
    /// Annotations copied from the artifact (OCI).
    public var metadata: [String: String]?
    /// When the artifact was produced.
    public var lastUpdateTime: String?
}
