import Foundation

/// The provider types whose notifier posts git commit statuses (NC `isCommitStatusProvider`).
public let commitStatusProviderTypes: Set<String> = ["github", "gitlab", "gitea", "bitbucketserver", "bitbucket", "azuredevops"]

/// NC's default commit status id: `lower(kind/name/<first segment of the provider uid>)`.
///
/// Mirrors `generateDefaultCommitStatus` in fluxcd/notification-controller
/// (`internal/server/provider_commit_status.go`): the uid is split at `-` and the first part kept;
/// the namespace is not part of the id.
public func defaultCommitStatusID(kind: String, name: String, providerUID: String) -> String {
    let firstSegment = providerUID.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
    return "\(kind)/\(name)/\(firstSegment)".lowercased()
}

/// One route of a Kustomization's events to a commit-status Provider, through one Alert: NC
/// dispatches each matching Alert on its own, so a Provider used by an `info` Alert and an `error`
/// Alert gives two routes, and the error-only route never suppresses the info route's successes.
///
/// Carries what NC applies per Alert (severity, summary, inclusion/exclusion lists) and per
/// Provider (type, address, commitStatusExpr, uid).
public struct CommitStatusReporter: Sendable, Equatable {
    /// The Alert that routes the Kustomization's events, `namespace/name`.
    public var alert: String
    /// The Provider, `namespace/name`.
    public var provider: String
    /// Provider type (`github`, …).
    public var providerType: String
    /// Provider address (the repository URL).
    public var address: String?
    /// The commit status id NC uses.
    public var contextID: ContextID
    /// `info` (successes and failures) or `error` (failures only).
    public var eventSeverity: String
    /// The summary the Alert adds to its events (`spec.summary`, else `spec.eventMetadata.summary`);
    /// nil when the Alert sets none (then the Kustomization's `event.toolkit.fluxcd.io/summary`
    /// annotation, if any, applies). Azure DevOps contexts read `fluxcd:<summary>`.
    public var summary: String? = nil
    /// The Alert's `spec.eventMetadata` (NC merges it into `event.metadata`).
    public var eventMetadata: [String: String] = [:]
    /// The Alert's `spec.inclusionList` (Go regular expressions on the event message).
    public var inclusionList: [String] = []
    /// The Alert's `spec.exclusionList`.
    public var exclusionList: [String] = []
    /// The Provider's `spec.commitStatusExpr` (CEL), when set.
    public var commitStatusExpr: String? = nil
    /// The Provider's uid (the default context's last segment), when known.
    public var providerUID: String? = nil
    /// The Alert as read (for `alert.*` in a commitStatusExpr).
    public var alertObject: Alert? = nil
    /// The Provider as read (for `provider.*` in a commitStatusExpr, and its Secret references).
    public var providerObject: Provider? = nil

    /// This route carries failures only (`eventSeverity: error`).
    public var failuresOnly: Bool { eventSeverity == "error" }

    /// Whether NC would send an event through this route, by the Alert's own rules: severity
    /// (an `error` Alert takes only error events), then `inclusionList` (when set, one expression
    /// must match the message), then `exclusionList` (no expression may match). `message` nil
    /// means fluxstamp does not know the message: a route with either list then answers
    /// `.dependsOnMessage`. An expression that does not compile is skipped, as NC skips it
    /// (NC logs it and records an `InvalidConfig` event on the Alert).
    public func admits(failure: Bool, message: String?) -> AlertAdmission {
        if failuresOnly && !failure { return .filtered(reason: "Alert \(alert) has eventSeverity error and the event is a success") }
        if inclusionList.isEmpty && exclusionList.isEmpty { return .admitted }
        guard let message else { return .dependsOnMessage }
        if !inclusionList.isEmpty && !inclusionList.contains(where: { Self.matches($0, message) }) {
            return .filtered(reason: "no expression of Alert \(alert) spec.inclusionList matches the message")
        }
        if let hit = exclusionList.first(where: { Self.matches($0, message) }) {
            return .filtered(reason: "Alert \(alert) spec.exclusionList expression \(hit) matches the message")
        }
        return .admitted
    }

    // Go's regexp (RE2) and NSRegularExpression (ICU) agree on the syntax Alert filters use
    // (classes, anchors, alternation, repetition); RE2-only constructs fail to compile and are
    // skipped, like NC skips expressions it cannot compile.
    static func matches(_ pattern: String, _ message: String) -> Bool {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return false }
        return regex.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)) != nil
    }

    /// How the commit status id is known.
    public enum ContextID: Sendable, Equatable, CustomStringConvertible {
        /// NC's default id.
        case `default`(String)
        /// The Provider sets `commitStatusExpr`; fluxstamp does not evaluate CEL.
        case customExpression(String)
        /// The Provider has no uid (not created by an API server).
        case unknownProviderUID

        /// The id, or why there is none.
        public var description: String {
            switch self {
            case let .default(id): return id
            case .customExpression: return "custom id: not reproduced"
            case .unknownProviderUID: return "unknown: provider has no uid"
            }
        }

        /// The id when fluxstamp can reproduce it.
        public var id: String? {
            if case let .default(id) = self { return id }
            return nil
        }
    }
}

/// A route of events to a commit-status Provider through one Alert (same type as `CommitStatusReporter`).
public typealias CommitStatusRoute = CommitStatusReporter

/// Whether an Alert sends an event, by its severity and message filters.
public enum AlertAdmission: Sendable, Equatable {
    /// NC sends it.
    case admitted
    /// NC drops it, and why.
    case filtered(reason: String)
    /// The Alert has inclusion/exclusion lists and the message is not known.
    case dependsOnMessage
}

/// Which Providers report commit statuses for which Kustomization, as notification-controller
/// routes events: an Alert matches when one of its eventSources has kind `Kustomization` (exactly, as NC compares),
/// the name or `*`, the namespace (defaulting to the Alert's) and all matchLabels; the Alert and its
/// Provider (same namespace as the Alert) are not suspended; the Provider type posts commit statuses.
public struct CommitStatusRouting: Sendable {
    /// All Alerts considered.
    public var alerts: [Alert]
    /// All Providers considered.
    public var providers: [Provider]
    /// False when NC runs with `--no-cross-namespace-refs`: an Alert then handles only events of
    /// objects in its own namespace.
    public var crossNamespaceRefs: Bool

    /// Creates the routing table.
    public init(alerts: [Alert], providers: [Provider], crossNamespaceRefs: Bool = true) {
        self.alerts = alerts
        self.providers = providers
        self.crossNamespaceRefs = crossNamespaceRefs
    }

    /// Alias kept for readers of issue 9: a route is a reporter.
    public func routes(for kustomization: Kustomization) -> [CommitStatusRoute] { reporters(for: kustomization) }

    /// The routes for `kustomization`, one per (matching Alert, its Provider), sorted by provider
    /// then alert.
    public func reporters(for kustomization: Kustomization) -> [CommitStatusReporter] {
        var out: [CommitStatusReporter] = []
        for alert in alerts where !(alert.spec.suspend ?? false) && matches(alert, kustomization) {
            if !crossNamespaceRefs && alert.metadata.namespace != kustomization.metadata.namespace { continue }
            let namespace = alert.metadata.namespace
            guard
                let provider = providers.first(where: {
                    $0.metadata.namespace == namespace && $0.metadata.name == alert.spec.providerRef.name
                }),
                !(provider.spec.suspend ?? false),
                commitStatusProviderTypes.contains(provider.spec.type)
            else { continue }
            let id: CommitStatusReporter.ContextID
            if let expr = provider.spec.commitStatusExpr, !expr.isEmpty {
                id = .customExpression(expr)
            } else if let uid = provider.metadata.uid, !uid.isEmpty {
                id = .default(defaultCommitStatusID(kind: Kustomization.kind, name: kustomization.metadata.name, providerUID: uid))
            } else {
                id = .unknownProviderUID
            }
            out.append(
                CommitStatusReporter(
                    alert: alert.metadata.qualifiedName, provider: provider.metadata.qualifiedName,
                    providerType: provider.spec.type, address: provider.spec.address,
                    contextID: id, eventSeverity: alert.spec.eventSeverity ?? "info",
                    summary: alert.resolvedSummary, eventMetadata: alert.spec.eventMetadata ?? [:],
                    inclusionList: alert.spec.inclusionList ?? [], exclusionList: alert.spec.exclusionList ?? [],
                    commitStatusExpr: provider.spec.commitStatusExpr.flatMap { $0.isEmpty ? nil : $0 },
                    providerUID: provider.metadata.uid, alertObject: alert, providerObject: provider))
        }
        return out.sorted { ($0.provider, $0.alert) < ($1.provider, $1.alert) }
    }

    private func matches(_ alert: Alert, _ kustomization: Kustomization) -> Bool {
        alert.spec.eventSources.contains { source in
            // NC compares the kind exactly (`event.InvolvedObject.Kind != source.Kind`); the CRD has no `*` kind.
            guard source.kind == Kustomization.kind else { return false }
            guard (source.namespace ?? alert.metadata.namespace) == kustomization.metadata.namespace else { return false }
            guard source.name == "*" || source.name == kustomization.metadata.name else { return false }
            let labels = kustomization.metadata.labels ?? [:]
            return (source.matchLabels ?? [:]).allSatisfy { labels[$0.key] == $0.value }
        }
    }
}
