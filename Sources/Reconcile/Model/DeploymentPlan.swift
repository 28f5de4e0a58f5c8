import Forges
import Foundation

/// How `--deployments` names environments and what it sends (fluxstamp.yaml `deployments`,
/// `environmentTemplate`, `environments`, `environmentURL`, `deploymentLogURL`).
public struct DeploymentSettings: Sendable {
    /// One configured environment: Kustomizations matching `match` deploy to `environment`.
    public struct Rule: Sendable, Hashable {
        /// `NAMESPACE/NAME` or `NAME`, with `*` matching any run of characters (`*/apps`, `prod-*`).
        public var match: String
        /// The environment name (may use `{cluster}`, `{namespace}`, `{name}`).
        public var environment: String
        /// Whether it is a production environment (GitHub `production_environment`).
        public var production: Bool

        /// Creates a rule.
        public init(match: String, environment: String, production: Bool = false) {
            self.match = match
            self.environment = environment
            self.production = production
        }

        /// Whether the rule applies to a Kustomization.
        public func matches(_ id: KustomizationID) -> Bool {
            match.contains("/") ? Self.glob(match, id.description) : Self.glob(match, id.name)
        }

        /// `*` matches any run of characters (none included); everything else matches itself.
        static func glob(_ pattern: String, _ text: String) -> Bool { glob(Substring(pattern), Substring(text)) }

        private static func glob(_ pattern: Substring, _ text: Substring) -> Bool {
            guard let first = pattern.first else { return text.isEmpty }
            if first == "*" { return glob(pattern.dropFirst(), text) || (!text.isEmpty && glob(pattern, text.dropFirst())) }
            return text.first == first && glob(pattern.dropFirst(), text.dropFirst())
        }
    }

    /// The forge whose deployments are written: `.github` or `.gitlab`.
    public var forge: ForgeKind
    /// The environment of a Kustomization no rule matches; default `{cluster}/{name}`.
    public var environmentTemplate: String
    /// Configured environments, first match wins.
    public var rules: [Rule]
    /// Environment names that are production (besides rules with `production: true`).
    public var productionEnvironments: Set<String>
    /// GitHub `environment_url` template (`{cluster}`, `{namespace}`, `{name}`, `{environment}`, `{sha}`).
    public var environmentURL: String?
    /// GitHub `log_url` template, same placeholders.
    public var logURL: String?
    /// What earlier runs observed of the cluster (the ledger, when configured), since a date:
    /// deployments Flux's own status and history no longer mention are backfilled from it.
    public var earlierObservations: (@Sendable (_ cluster: String, _ since: Date?) async throws -> [Observation])?

    /// Creates settings.
    public init(
        forge: ForgeKind, environmentTemplate: String = "{cluster}/{name}", rules: [Rule] = [], productionEnvironments: Set<String> = [],
        environmentURL: String? = nil, logURL: String? = nil
    ) {
        self.forge = forge
        self.environmentTemplate = environmentTemplate
        self.rules = rules
        self.productionEnvironments = productionEnvironments
        self.environmentURL = environmentURL
        self.logURL = logURL
    }

    /// The environment of a Kustomization on `cluster`, and whether it is production.
    public func environment(for id: KustomizationID, cluster: String) -> (name: String, production: Bool) {
        let rule = rules.first { $0.matches(id) }
        let name = fill(rule?.environment ?? environmentTemplate, id: id, cluster: cluster, sha: "", environment: "")
        return (name, (rule?.production ?? false) || productionEnvironments.contains(name))
    }

    /// A template with its placeholders filled.
    func fill(_ template: String, id: KustomizationID, cluster: String, sha: String, environment: String) -> String {
        template.replacingOccurrences(of: "{cluster}", with: cluster).replacingOccurrences(of: "{namespace}", with: id.namespace)
            .replacingOccurrences(of: "{name}", with: id.name).replacingOccurrences(of: "{sha}", with: sha)
            .replacingOccurrences(of: "{environment}", with: environment)
    }
}

/// Where deployments go: a forge repository and an environment in it.
public struct DeploymentTarget: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The forge repository (`github.com/acme/fleet`).
    public var repository: String
    /// The environment name.
    public var environment: String

    /// Creates a target.
    public init(repository: String, environment: String) {
        self.repository = repository
        self.environment = environment
    }

    /// `repository environment`.
    public var description: String { "\(repository) \(environment)" }

    /// By repository, then environment.
    public static func < (a: Self, b: Self) -> Bool { (a.repository, a.environment) < (b.repository, b.environment) }
}

/// A deployment the cluster says happened, before it is compared with the forge.
public struct DesiredDeployment: Sendable, Hashable {
    /// Where it goes.
    public var target: DeploymentTarget
    /// The Kustomization it comes from.
    public var kustomization: KustomizationID
    /// The commit.
    public var sha: String
    /// The revision as Flux wrote it.
    public var revision: String
    /// The state it should show now (replaced successes are `inactive` on GitHub).
    public var state: DeploymentState
    /// When Flux first reported it, if known.
    public var firstSeen: Date?
    /// When Flux last reported it, if known.
    public var lastSeen: Date?
    /// Whether it is the Ready condition's current word.
    public var isCurrent: Bool
    /// The commit's committer time (orders deployments whose time Flux did not keep).
    public var commitTime: Date?
    /// Everything the forge is sent.
    public var write: DeploymentWrite
}

/// One deployment write.
public struct PlannedDeploymentWrite: Sendable, Hashable {
    /// Create a deployment (and its first status), or set the state of an existing one.
    public enum Action: String, Sendable, Hashable {
        /// `POST …/deployments` and its first status.
        case create
        /// A new status for an existing deployment (GitHub) or `PUT` (GitLab).
        case setState = "set state"
    }

    /// What to do.
    public var action: Action
    /// Where.
    public var target: DeploymentTarget
    /// The Kustomization it comes from.
    public var kustomization: KustomizationID
    /// What is sent (for `create`, `write.state` is the first state, which auto_inactive may change later).
    public var write: DeploymentWrite
    /// The deployment the forge shows, for `setState`.
    public var existing: DeploymentRecord?
    /// The state the deployment should end with after the run.
    public var finalState: DeploymentState
    /// Why, in a few words (`missing`, `shows success, should be inactive`).
    public var reason: String
}

/// The deployments part of a run's plan.
public struct DeploymentPlan: Sendable {
    /// Writes in the order they must be sent (per target, oldest deployment first).
    public var writes: [PlannedDeploymentWrite] = []
    /// Desired deployments the forge already shows as wanted.
    public var unchanged = 0
    /// Environments considered.
    public var environments: [DeploymentTarget] = []
    /// Kustomizations with nothing to deploy to, and why.
    public var skips: [PlannedSkip] = []
    /// Deployment writes held back by `--max-writes` (the budget the status writes left); a later
    /// run writes them, still oldest first.
    public var overBudget = 0

    /// An empty plan.
    public init() {}
}

/// What happened to one deployment write.
public struct DeploymentResult: Sendable {
    /// The write.
    public var write: PlannedDeploymentWrite
    /// nil when written; otherwise why it failed.
    public var error: ForgeError?
}
