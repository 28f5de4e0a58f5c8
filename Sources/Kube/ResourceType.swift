/// A Kubernetes resource fluxstamp reads: its group, plural, kind and the versions it understands.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
    /// API group; empty for the core group.
    public var group: String
    /// Plural resource name used in URLs (`kustomizations`).
    public var plural: String
    /// Kind (`Kustomization`).
    public var kind: String
    /// Versions fluxstamp can decode, most preferred first.
    public var understoodVersions: [String]
    /// The Flux component that installs it, for "Flux is missing" messages.
    public var component: String

    /// `kustomizations.kustomize.toolkit.fluxcd.io`, the way RBAC messages name it.
    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// `kustomize.toolkit.fluxcd.io/v1` Kustomizations (v1beta2 on older clusters).
    public static let kustomizations = ResourceType(
        group: "kustomize.toolkit.fluxcd.io", plural: "kustomizations", kind: "Kustomization",
        understoodVersions: ["v1", "v1beta2"], component: "kustomize-controller")
    /// `source.toolkit.fluxcd.io` GitRepositories.
    public static let gitRepositories = ResourceType(
        group: "source.toolkit.fluxcd.io", plural: "gitrepositories", kind: "GitRepository",
        understoodVersions: ["v1", "v1beta2"], component: "source-controller")
    /// `source.toolkit.fluxcd.io` OCIRepositories.
    public static let ociRepositories = ResourceType(
        group: "source.toolkit.fluxcd.io", plural: "ocirepositories", kind: "OCIRepository",
        understoodVersions: ["v1", "v1beta2"], component: "source-controller")
    /// `notification.toolkit.fluxcd.io/v1beta3` Providers.
    public static let providers = ResourceType(
        group: "notification.toolkit.fluxcd.io", plural: "providers", kind: "Provider",
        understoodVersions: ["v1beta3"], component: "notification-controller")
    /// `notification.toolkit.fluxcd.io/v1beta3` Alerts.
    public static let alerts = ResourceType(
        group: "notification.toolkit.fluxcd.io", plural: "alerts", kind: "Alert",
        understoodVersions: ["v1beta3"], component: "notification-controller")
    /// Core `v1` Secrets.
    public static let secrets = ResourceType(group: "", plural: "secrets", kind: "Secret", understoodVersions: ["v1"], component: "core")

    /// Core `v1` Events (read for Kustomizations' reconcile outcomes).
    public static let events = ResourceType(group: "", plural: "events", kind: "Event", understoodVersions: ["v1"], component: "core")

    /// The URL path of a collection or object at `version`.
    public func path(version: String, namespace: String?, name: String? = nil) -> String {
        var p = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if let namespace { p += "/namespaces/\(namespace.urlPathEscaped)" }
        p += "/\(plural)"
        if let name { p += "/\(name.urlPathEscaped)" }
        return p
    }
}

extension String {
    var urlPathEscaped: String {
        var out = ""
        for byte in utf8 {
            let c = Character(Unicode.Scalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return out
    }

    var urlQueryEscaped: String { urlPathEscaped }

    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
