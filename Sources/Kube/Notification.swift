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
        /// Secret with the token.
        public var secretRef: LocalObjectReference?
        /// Whether the provider is suspended.
        public var suspend: Bool?
        /// CEL expression that replaces the default commit status id.
        public var commitStatusExpr: String?
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

/// A core `Secret`; values are decoded from base64 on access and never printed.
public struct Secret: KubeObject, Equatable, CustomStringConvertible {
    /// `Secret`.
    public static let kind = "Secret"
    /// Metadata.
    public var metadata: ObjectMeta
    /// Secret type (`Opaque`, …).
    public var type: String?
    /// Base64-encoded values.
    public var data: [String: String]?

    /// The decoded bytes of `key`, or nil when absent or not base64.
    public func value(_ key: String) -> [UInt8]? {
        data?[key].flatMap { Data(base64Encoded: $0) }.map(Array.init)
    }

    /// The decoded value of `key` as UTF-8 text, trimmed of a trailing newline.
    public func string(_ key: String) -> String? {
        value(key).map { String(decoding: $0, as: UTF8.self) }.map { $0.hasSuffix("\n") ? String($0.dropLast()) : $0 }
    }

    /// Names the secret and its keys, never the values.
    public var description: String { "Secret \(metadata.qualifiedName) keys=\((data ?? [:]).keys.sorted())" }
}
