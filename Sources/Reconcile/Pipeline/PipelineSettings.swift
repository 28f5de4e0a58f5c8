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
    /// This pod's share of the repositories (`--shard i/n`); nil: all of them.
    public var shard: Shard?
    /// What earlier runs observed of the cluster (the ledger, when configured), last seen at or
    /// after a date. They fill the commits the cluster no longer mentions (a `status.history`
    /// snapshot rotated out, an event older than an hour), so a fact Kubernetes forgot during a
    /// forge outage still gets its status; where the cluster still speaks of a commit, its word is kept.
    public var earlierObservations: (@Sendable (_ cluster: String, _ since: Date) async throws -> [Observation])?
    /// How far back earlier observations are read when `policy.since` does not say: each one is a
    /// commit whose statuses are read from the forge at every run (default 7 days).
    public var earlierObservationsWindow: TimeInterval = 7 * 86_400

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

/// One pod's share of the work when a run is split across the pods of an Indexed Job: the git
/// repositories are divided by a stable hash of their address (`RepositoryAddress.key`), so each
/// repository, with every Kustomization deploying from it and the forge rate budget its statuses
/// draw on, belongs to exactly one pod, whichever pod runs first and however many times.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// This pod's index, 0 ..< count.
    public var index: Int
    /// How many pods share the work.
    public var count: Int

    /// A shard; nil unless 0 <= index < count.
    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    /// Parses `i/n` (`0/3`); nil when malformed or out of range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// FNV-1a (64 bit) of the key's UTF-8 bytes: stable across processes, machines and Swift
    /// versions, unlike `Hasher`, which is seeded per process.
    public static func hash(_ key: String) -> UInt64 {
        key.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// Whether this shard owns a repository (`RepositoryAddress.key`). Kustomizations without a
    /// git repository (a Bucket source, an OCI artifact without its origin) belong to shard 0, so
    /// each is reported once.
    public func owns(repository key: String?) -> Bool {
        guard let key else { return index == 0 }
        return Int(Self.hash(key) % UInt64(count)) == index
    }
}
