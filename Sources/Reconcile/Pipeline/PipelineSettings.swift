import Forges
import Foundation

/// What one run of the pipeline is asked to do, already checked by the caller (the command line
/// merges `fluxstamp.yaml` with the flags and turns every bad value into a usage error first).
public struct PipelineSettings: Sendable {
    /// A self-hosted forge (or one whose API lives elsewhere) from configuration.
    public struct Forge: Sendable, Hashable {
        /// Host, as it appears in repository addresses (`git.example.com`, `host:8443`).
        public var host: String
        /// The forge type, when the host is not a well-known one.
        public var kind: ForgeKind?
        /// Where its API lives, when not where the forge kind says.
        public var apiBaseURL: String?
        /// A file holding the token for this host.
        public var tokenFile: String?
        /// Writes a minute for this host (0: unlimited; nil: the forge's own limit).
        public var writesPerMinute: Double?

        /// Creates a forge entry.
        public init(
            host: String, kind: ForgeKind? = nil, apiBaseURL: String? = nil, tokenFile: String? = nil,
            writesPerMinute: Double? = nil
        ) {
            self.host = host
            self.kind = kind
            self.apiBaseURL = apiBaseURL
            self.tokenFile = tokenFile
            self.writesPerMinute = writesPerMinute
        }
    }

    /// Only Kustomizations in this namespace (nil: all).
    public var namespace: String?
    /// Label selector for Kustomizations.
    public var selector: String?
    /// Only these Kustomization names (empty: all).
    public var names: Set<String>
    /// This cluster's name, for `{cluster}` in the context template.
    public var clusterName: String
    /// The context when no Flux Provider applies, with `{name}`, `{namespace}`, `{cluster}`.
    public var contextTemplate: String
    /// How the planner decides.
    public var policy: PlanPolicy
    /// Where bare mirrors of source repositories live.
    public var cacheDirectory: String
    /// Local repositories to use instead of fetching: URL → path.
    public var repositories: [String: String]
    /// Configured forge hosts.
    public var forges: [Forge]
    /// Writes a minute for every forge (overrides the per-host value).
    public var writesPerMinute: Double?
    /// `FLUXSTAMP_FORGE_TOKEN`: used only for configured or well-known forge hosts.
    public var environmentToken: String?
    /// Whether Kubernetes events of the Kustomizations are read as observations (kept about an
    /// hour by the API server: they catch a failure that recovered between two runs).
    public var readEvents = true
    /// Repositories fetched at once.
    public var fetchConcurrency: Int
    /// Writes in flight per forge repository.
    public var writeConcurrency: Int
    /// notification-controller runs with `--no-cross-namespace-refs`: an Alert routes only events
    /// of objects in its own namespace, so statuses through other Alerts are not NC's to fill.
    public var noCrossNamespaceRefs = false
    /// Whether commit statuses are planned and written (`--statuses=false`: deployments only).
    public var statuses = true
    /// Forge deployments to plan and write besides the statuses (`--deployments`); nil: none.
    public var deployments: DeploymentSettings?

    /// Creates settings.
    public init(
        namespace: String? = nil, selector: String? = nil, names: Set<String> = [], clusterName: String = "default",
        contextTemplate: String = "kustomization/{name}/{cluster}", policy: PlanPolicy = PlanPolicy(),
        cacheDirectory: String, repositories: [String: String] = [:], forges: [Forge] = [],
        writesPerMinute: Double? = nil, environmentToken: String? = nil, fetchConcurrency: Int = 4,
        writeConcurrency: Int = 4
    ) {
        self.namespace = namespace
        self.selector = selector
        self.names = names
        self.clusterName = clusterName
        self.contextTemplate = contextTemplate
        self.policy = policy
        self.cacheDirectory = cacheDirectory
        self.repositories = repositories
        self.forges = forges
        self.writesPerMinute = writesPerMinute
        self.environmentToken = environmentToken
        self.fetchConcurrency = fetchConcurrency
        self.writeConcurrency = writeConcurrency
    }

    /// The context for a Kustomization with no Flux Provider.
    public func context(namespace: String, name: String) -> String {
        contextTemplate.replacingOccurrences(of: "{name}", with: name)
            .replacingOccurrences(of: "{namespace}", with: namespace)
            .replacingOccurrences(of: "{cluster}", with: clusterName)
    }

    /// The configured entry for a host, compared case-insensitively.
    func forge(host: String) -> Forge? {
        forges.first { $0.host.lowercased() == host.lowercased() }
    }
}
