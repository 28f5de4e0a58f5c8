import Forges
import Foundation

/// Where one Kustomization's statuses go: a forge repository and the context id in it.
public struct StatusTarget: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The forge repository, as the forge client names it (e.g. `github.com/acme/fleet`).
    public var repository: String
    /// The context id (`kustomization/apps/0c9c2e41`).
    public var context: String
    /// Which forge serves it: how it keys, words and stores a status.
    public var forge: ForgeKind
    /// Azure DevOps only: the status genre NC posts, `fluxcd`, or `fluxcd:<summary>` when the event
    /// carries `summary` metadata (NC `commitStatusGenre`); nil elsewhere.
    public var genre: String?
    /// The forge endpoint (one client) its statuses are read and written through: the repository,
    /// and for an Azure DevOps genre other than `fluxcd` the genre too (`… [genre fluxcd:prod]`),
    /// because an Azure DevOps client writes one genre. Keys `Observed.forges`, the reads and the writes.
    public var endpoint: String { Self.endpoint(repository: repository, genre: genre) }

    /// The endpoint name for a repository and an Azure DevOps genre (nil or `fluxcd`: the repository).
    public static func endpoint(repository: String, genre: String?) -> String {
        guard let genre, genre != "fluxcd" else { return repository }
        return "\(repository) [genre \(genre)]"
    }

    /// What the forge keys statuses by for this context (`ForgeKind.statusKey(forContext:)`; Azure
    /// DevOps: `genre/name`).
    public private(set) var key: String
    /// The Alerts that route the Kustomization's events here (several Alerts may share one
    /// Provider, and so one context): NC posts a fact if one of them lets it through. Empty when
    /// no Flux Alert is involved (a context from configuration): everything is posted.
    public var routes: [AlertRoute]
    /// The Provider's `spec.commitStatusExpr`, when it sets one: then `context` is a placeholder,
    /// and each fact's context is what the expression gives for it.
    public var contextExpression: ContextExpression?
    /// The Provider's address as notification-controller has it (the Secret's `address`, else
    /// `spec.address`): Bitbucket Data Center statuses carry it as `url`, byte for byte.
    public var providerAddress: String?

    /// Every route is error-only (`eventSeverity: error`), so notification-controller posts only
    /// failures here: fluxstamp writes failures, and successes only to correct a failure.
    public var failuresOnly: Bool { !routes.isEmpty && routes.allSatisfy(\.failuresOnly) }

    /// Creates a target with its Alert routes.
    public init(
        repository: String, context: String, forge: ForgeKind, genre: String? = nil, routes: [AlertRoute],
        contextExpression: ContextExpression? = nil
    ) {
        self.repository = repository
        self.context = context
        self.forge = forge
        self.genre = forge == .azuredevops ? genre : nil
        if forge == .azuredevops, let genre, genre != "fluxcd" {
            self.key = "\(genre)/\(context)"
        } else {
            self.key = forge.statusKey(forContext: context)
        }
        self.routes = routes
        self.contextExpression = contextExpression
    }

    /// The same target under another context (what a `commitStatusExpr` gave for one fact).
    func with(context: String) -> StatusTarget {
        var target = StatusTarget(
            repository: repository, context: context, forge: forge, genre: genre, routes: routes,
            contextExpression: contextExpression)
        target.providerAddress = providerAddress
        return target
    }

    /// Creates a target routed by one Alert (or by none).
    public init(repository: String, context: String, forge: ForgeKind, failuresOnly: Bool = false) {
        self.init(
            repository: repository, context: context, forge: forge,
            routes: failuresOnly ? [AlertRoute(alert: "", failuresOnly: true)] : [])
    }

    /// Whether notification-controller posts a fact with this outcome and event message here.
    public func admits(_ outcome: Outcome, message: EventMessage) -> Admission {
        Admission.any(routes.map { $0.admits(outcome, message: message) })
    }

    /// The same place (forge repository and key), with both targets' Alert routes.
    func merged(with other: StatusTarget) -> StatusTarget {
        var merged = self
        // A route-less target (configuration) posts everything; so does the merge.
        merged.routes = routes.isEmpty || other.routes.isEmpty ? [] : routes + other.routes.filter { !routes.contains($0) }
        return merged
    }

    public var description: String { "\(repository) \(context)" }

    public static func < (lhs: StatusTarget, rhs: StatusTarget) -> Bool {
        (lhs.repository, lhs.key) < (rhs.repository, rhs.key)
    }
}

/// One Kustomization as the planner sees it.
public struct PlanUnit: Sendable {
    /// Which Kustomization.
    public var kustomization: KustomizationID
    /// The git repository its commits live in (normalised URL), or nil with `unsupported` set.
    public var repository: String?
    /// Why its source cannot be mapped to commits (Bucket, ExternalArtifact, OCI without origin).
    public var unsupported: String?
    /// `spec.path`, for intermediate commits.
    public var path: String
    /// Where its statuses go.
    public var targets: [StatusTarget]
    /// What is known about it.
    public var observations: [Observation]
    /// Whether it is suspended (still observed; flagged in output).
    public var suspended: Bool
    /// Why it has no target, when the observe stage knows (a Provider whose Secret cannot be read,
    /// an unknown forge host, no credential).
    public var noTarget: String?
    /// The revision Flux is applying now (Ready Unknown, reason Progressing), when it is not the
    /// applied one; only the deployments stage uses it (commit statuses have no "in progress").
    public var progressing: Progress?

    /// Creates a unit.
    public init(
        kustomization: KustomizationID, repository: String?, unsupported: String? = nil, path: String,
        targets: [StatusTarget], observations: [Observation], suspended: Bool = false, noTarget: String? = nil,
        progressing: Progress? = nil
    ) {
        self.kustomization = kustomization
        self.progressing = progressing
        self.noTarget = noTarget
        self.repository = repository
        self.unsupported = unsupported
        self.path = path
        self.targets = targets
        self.observations = observations
        self.suspended = suspended
    }
}

/// A revision kustomize-controller is still applying (building, applying or health-checking).
public struct Progress: Sendable, Hashable {
    /// The revision as Flux wrote it (`main@sha1:…`; the origin revision for an OCI source).
    public var revision: String
    /// When the reconciliation started (the Reconciling or Ready condition's transition), if known.
    public var since: Date?

    /// Creates a progress.
    public init(revision: String, since: Date?) {
        self.revision = revision
        self.since = since
    }
}

/// What git said about the commits a run cares about, per repository. Built by the resolve
/// step before planning so the planner itself does no I/O.
public struct GitFacts: Sendable {
    /// Commits found in the repository: sha → committer time.
    public var commitTimes: [String: Date]
    /// For a pair of consecutive applied revisions and a path: the first-parent commits strictly
    /// between them that touch the path, newest first, with their committer times.
    public var intermediates: [IntermediateKey: [(sha: String, time: Date)]]

    /// Creates facts.
    public init(commitTimes: [String: Date] = [:], intermediates: [IntermediateKey: [(sha: String, time: Date)]] = [:]) {
        self.commitTimes = commitTimes
        self.intermediates = intermediates
    }
}

/// Identifies an intermediate-commit range: from the previous applied commit (exclusive) to the
/// next (exclusive), limited to commits touching `path` (nil: every commit).
public struct IntermediateKey: Hashable, Sendable {
    /// The earlier applied commit.
    public var from: String
    /// The later applied commit.
    public var to: String
    /// The watched path, normalised; nil when path awareness is off.
    public var path: String?

    /// Creates a key.
    public init(from: String, to: String, path: String?) {
        self.from = from
        self.to = to
        self.path = path
    }
}

/// How the planner decides.
public struct PlanPolicy: Sendable {
    /// Which commits between applied revisions get a status.
    public enum Intermediate: String, Sendable, CaseIterable {
        /// Only applied revisions (what notification-controller does).
        case none
        /// Also every commit between two applied revisions, where its context has no status yet.
        case deployed
    }

    /// Intermediate-commit policy.
    public var intermediate: Intermediate
    /// Whether intermediate commits must touch the Kustomization's path.
    public var intermediatePathAware: Bool
    /// Ignore observations and commits older than this.
    public var since: Date?
    /// At most this many writes per run (newest commit first).
    public var maxWrites: Int?

    /// Creates a policy.
    public init(intermediate: Intermediate = .none, intermediatePathAware: Bool = true, since: Date? = nil, maxWrites: Int? = nil) {
        self.intermediate = intermediate
        self.intermediatePathAware = intermediatePathAware
        self.since = since
        self.maxWrites = maxWrites
    }
}

/// Everything the planner needs, with no I/O behind it.
public struct PlanInput: Sendable {
    /// One unit per selected Kustomization.
    public var units: [PlanUnit]
    /// Git facts per repository (normalised URL).
    public var git: [String: GitFacts]
    /// Existing statuses per forge endpoint (`StatusTarget.endpoint`), per sha, newest first.
    public var existing: [String: [String: [CommitStatus]]]
    /// The policy.
    public var policy: PlanPolicy

    /// Creates an input.
    public init(units: [PlanUnit], git: [String: GitFacts], existing: [String: [String: [CommitStatus]]], policy: PlanPolicy) {
        self.units = units
        self.git = git
        self.existing = existing
        self.policy = policy
    }
}
