import Foundation

/// A Flux notification `Provider` (notification.toolkit.fluxcd.io v1beta3).
public struct Provider: KubeObject, Equatable {
    /// `Provider`.
    public static let kind = "Provider"
    /// Metadata; `uid` feeds NC's commit status id.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: Spec

    /// `spec`.
    public struct Spec: Sendable, Codable, Equatable {
        /// Provider type (`github`, `gitlab`, `slack`, …).
        public var type: String
        /// Address (the git repository URL for commit-status providers).
        public var address: String?
        /// Secret with the token (its `address` key, when present, overrides `address` in NC).
        public var secretRef: LocalObjectReference?
        /// Whether the provider is suspended.
        public var suspend: Bool?
        /// CEL expression that replaces the default commit status id (NC 2.6+).
        public var commitStatusExpr: String?
        /// Secret with the CA (`ca.crt`) and optionally a client certificate for a self-hosted forge.
        public var certSecretRef: LocalObjectReference? = nil
        /// Secret with the proxy address (`address`, optionally `username`/`password`).
        public var proxySecretRef: LocalObjectReference? = nil
        /// Deprecated proxy URL (`spec.proxy`); `proxySecretRef` is preferred by NC.
        public var proxy: String? = nil
        /// Service account for workload identity (Azure DevOps managed identity, …).
        public var serviceAccountName: String? = nil
    }
}

/// A Flux notification `Alert` (notification.toolkit.fluxcd.io v1beta3).
public struct Alert: KubeObject, Equatable {
    /// `Alert`.
    public static let kind = "Alert"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Desired state.
    public var spec: Spec

    /// `spec`.
    public struct Spec: Sendable, Codable, Equatable {
        /// The Provider (same namespace) events go to.
        public var providerRef: LocalObjectReference
        /// Which objects' events are sent.
        public var eventSources: [EventSource]
        /// `info` (everything) or `error` (failures only).
        public var eventSeverity: String?
        /// Whether the alert is suspended.
        public var suspend: Bool?
        /// Deprecated summary, added to every event as metadata `summary` (beats `eventMetadata.summary`).
        public var summary: String? = nil
        /// Metadata added to every event (`summary`, `env`, …; visible to `commitStatusExpr` as `event.metadata`).
        public var eventMetadata: [String: String]? = nil
        /// Regular expressions (Go RE2) on the event message: when set, only matching events are sent.
        public var inclusionList: [String]? = nil
        /// Regular expressions (Go RE2) on the event message: matching events are dropped.
        public var exclusionList: [String]? = nil
    }

    /// The summary NC attaches to this Alert's events: `spec.summary`, else `spec.eventMetadata.summary`
    /// (RFC 0008 precedence; the object's `event.toolkit.fluxcd.io/summary` annotation ranks below both).
    public var resolvedSummary: String? {
        if let summary = spec.summary, !summary.isEmpty { return summary }
        if let summary = spec.eventMetadata?["summary"], !summary.isEmpty { return summary }
        return nil
    }

    /// `spec.eventSources[]`.
    public struct EventSource: Sendable, Codable, Equatable {
        /// Kind of the involved object.
        public var kind: String
        /// Name, or `*`.
        public var name: String
        /// Namespace; defaults to the Alert's.
        public var namespace: String?
        /// Labels the object must carry (with name `*`).
        public var matchLabels: [String: String]?
    }
}
