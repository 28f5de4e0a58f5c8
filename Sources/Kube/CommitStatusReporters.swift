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

/// One Flux Provider that reports commit statuses for a Kustomization, through one Alert.
public struct CommitStatusReporter: Sendable, Equatable {
    /// The Alert that routes the Kustomization's events.
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

/// Which Providers report commit statuses for which Kustomization, as notification-controller
/// routes events: an Alert matches when one of its eventSources has kind `Kustomization` (or `*`),
/// the name or `*`, the namespace (defaulting to the Alert's) and all matchLabels; the Alert and its
/// Provider (same namespace as the Alert) are not suspended; the Provider type posts commit statuses.
public struct CommitStatusRouting: Sendable {
    /// All Alerts considered.
    public var alerts: [Alert]
    /// All Providers considered.
    public var providers: [Provider]

    /// Creates the routing table.
    public init(alerts: [Alert], providers: [Provider]) {
        self.alerts = alerts
        self.providers = providers
    }

    /// The reporters for `kustomization`, sorted by provider then alert.
    public func reporters(for kustomization: Kustomization) -> [CommitStatusReporter] {
        var out: [CommitStatusReporter] = []
        for alert in alerts where !(alert.spec.suspend ?? false) && matches(alert, kustomization) {
            let namespace = alert.metadata.namespace
            guard let provider = providers.first(where: { $0.metadata.namespace == namespace && $0.metadata.name == alert.spec.providerRef.name }),
                  !(provider.spec.suspend ?? false),
                  commitStatusProviderTypes.contains(provider.spec.type) else { continue }
            let id: CommitStatusReporter.ContextID
            if let expr = provider.spec.commitStatusExpr, !expr.isEmpty {
                id = .customExpression(expr)
            } else if let uid = provider.metadata.uid, !uid.isEmpty {
                id = .default(defaultCommitStatusID(kind: Kustomization.kind, name: kustomization.metadata.name, providerUID: uid))
            } else {
                id = .unknownProviderUID
            }
            out.append(CommitStatusReporter(alert: alert.metadata.qualifiedName, provider: provider.metadata.qualifiedName,
                                            providerType: provider.spec.type, address: provider.spec.address,
                                            contextID: id, eventSeverity: alert.spec.eventSeverity ?? "info"))
        }
        return out.sorted { ($0.provider, $0.alert) < ($1.provider, $1.alert) }
    }

    private func matches(_ alert: Alert, _ kustomization: Kustomization) -> Bool {
        alert.spec.eventSources.contains { source in
            guard source.kind == Kustomization.kind || source.kind == "*" else { return false }
            guard (source.namespace ?? alert.metadata.namespace) == kustomization.metadata.namespace else { return false }
            guard source.name == "*" || source.name == kustomization.metadata.name else { return false }
            let labels = kustomization.metadata.labels ?? [:]
            return (source.matchLabels ?? [:]).allSatisfy { labels[$0.key] == $0.value }
        }
    }
}
