import Foundation

/// What a deployment's latest status says, in fluxstamp's words (GitHub's deployment status
/// states; GitLab's deployment statuses map onto them, and GitLab has no `inactive`).
public enum DeploymentState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Flux applied the revision and it is healthy.
    case success
    /// Flux failed to apply the revision or its health checks failed.
    case failure
    /// Flux is still progressing towards the revision.
    case inProgress = "in_progress"
    /// A later deployment replaced it (GitHub only).
    case inactive
}

/// The true times and revision of one deployment, carried in GitHub's `payload`: GitHub takes no
/// `created_at`, so its own creation time is the time of the backfill.
public struct DeploymentPayload: Codable, Sendable, Hashable {
    /// When Flux first reported the revision on this Kustomization (RFC 3339), if known.
    public var firstSeen: String?
    /// When Flux last reported it, as of the write (RFC 3339), if known.
    public var lastSeen: String?
    /// The revision as Flux wrote it (`main@sha1:…`).
    public var revision: String
    /// The cluster name.
    public var cluster: String
    /// `namespace/name` of the Kustomization.
    public var kustomization: String

    /// Creates a payload.
    public init(firstSeen: String?, lastSeen: String?, revision: String, cluster: String, kustomization: String) {
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.revision = revision
        self.cluster = cluster
        self.kustomization = kustomization
    }
}

/// One deployment as the forge shows it, with its latest state.
public struct DeploymentRecord: Sendable, Hashable {
    /// The forge's id (GitHub deployment id, GitLab deployment id).
    public var id: Int
    /// The deployed commit.
    public var sha: String
    /// The environment name.
    public var environment: String
    /// The latest state; nil when the deployment has no status yet (GitHub) or one fluxstamp
    /// does not use (GitLab `created`, `canceled`, `blocked`, `skipped`).
    public var state: DeploymentState?
    /// The forge's own word for the latest state, as read.
    public var forgeState: String?
    /// The payload, when it carries fluxstamp's fields (GitHub only).
    public var payload: DeploymentPayload?
    /// When the forge created it.
    public var createdAt: Date?

    /// Creates a record.
    public init(
        id: Int, sha: String, environment: String, state: DeploymentState?, forgeState: String? = nil,
        payload: DeploymentPayload? = nil, createdAt: Date? = nil
    ) {
        self.id = id
        self.sha = sha
        self.environment = environment
        self.state = state
        self.forgeState = forgeState
        self.payload = payload
        self.createdAt = createdAt
    }
}

/// Everything a deployment write carries.
public struct DeploymentWrite: Sendable, Hashable {
    /// The commit deployed (GitHub's `ref` is the sha itself, so no branch tip is deployed by accident).
    public var sha: String
    /// The branch or tag the revision names (GitLab's `ref`); nil when the revision names none.
    public var ref: String?
    /// Whether `ref` is a tag (GitLab's `tag`).
    public var isTag: Bool
    /// The environment name.
    public var environment: String
    /// GitHub's deployment description: the revision and the true time.
    public var description: String
    /// GitHub's payload.
    public var payload: DeploymentPayload
    /// The state to set.
    public var state: DeploymentState
    /// GitHub's `environment_url`, when configured.
    public var environmentURL: String?
    /// GitHub's `log_url`, when configured.
    public var logURL: String?
    /// GitHub's `production_environment`.
    public var productionEnvironment: Bool
    /// GitHub's `auto_inactive` on the status: earlier successful deployments of the environment
    /// become inactive when this status is a success.
    public var autoInactive: Bool

    /// Creates a write.
    public init(
        sha: String, ref: String?, isTag: Bool = false, environment: String, description: String, payload: DeploymentPayload,
        state: DeploymentState, environmentURL: String? = nil, logURL: String? = nil, productionEnvironment: Bool = false,
        autoInactive: Bool = false
    ) {
        self.sha = sha
        self.ref = ref
        self.isTag = isTag
        self.environment = environment
        self.description = description
        self.payload = payload
        self.state = state
        self.environmentURL = environmentURL
        self.logURL = logURL
        self.productionEnvironment = productionEnvironment
        self.autoInactive = autoInactive
    }
}

/// A forge's deployment records: GitHub Deployments or GitLab deployments and environments.
/// Clients share the commit-status clients' transport, so pacing (one budget per identity),
/// retries and the circuit breaker are the same.
public protocol DeploymentForge: Sendable {
    /// The repository this client writes to.
    var repository: ForgeRepository { get }
    /// Requests sent so far (shared with nothing else: one counter per client).
    var requests: RequestCounter { get }
    /// Every deployment of `environment`, oldest first; the latest state is read for those whose
    /// commit is in `shas` (others may have `state` nil).
    func deployments(environment: String, shas: Set<String>) async throws -> [DeploymentRecord]
    /// Creates a deployment and sets its first state.
    func create(_ write: DeploymentWrite) async throws -> DeploymentRecord
    /// Sets the state of an existing deployment.
    func setState(of deployment: DeploymentRecord, to write: DeploymentWrite) async throws
    /// Whether the forge can show this state (GitLab has no `inactive`).
    func supports(_ state: DeploymentState) -> Bool
}

/// Builds the deployment client for a repository.
public enum DeploymentClient {
    /// The client for `repository` (GitHub or GitLab; other forges have no deployment API fluxstamp writes).
    public static func make(
        for repository: ForgeRepository, credential: ForgeCredential, options: ForgeOptions = ForgeOptions()
    ) throws(ForgeError) -> any DeploymentForge {
        switch repository.kind {
        case .github: return try GitHubDeployments(repository: repository, credential: credential, options: options)
        case .gitlab: return try GitLabDeployments(repository: repository, credential: credential, options: options)
        default:
            throw ForgeError(
                .configuration, repository: repository.description,
                message: "\(repository.kind) has no deployments fluxstamp can write; use --deployments with GitHub or GitLab repositories")
        }
    }
}
