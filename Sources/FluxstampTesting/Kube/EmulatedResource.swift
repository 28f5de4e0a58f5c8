/// A resource the Kubernetes emulator serves: group, plural, kind and the versions it can serve.
public struct EmulatedResource: Sendable, Hashable {
    /// API group; empty for core.
    public var group: String
    /// Plural (URL) name.
    public var plural: String
    /// Singular name for discovery.
    public var singular: String
    /// Kind.
    public var kind: String
    /// Versions served by default, preferred first.
    public var versions: [String]

    /// `plural.group`, as RBAC messages print it.
    public var qualifiedName: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// Everything the emulator knows: Flux kinds fluxstamp reads, Secrets and Events.
    public static let catalog: [EmulatedResource] = [
        EmulatedResource(
            group: "kustomize.toolkit.fluxcd.io", plural: "kustomizations", singular: "kustomization", kind: "Kustomization",
            versions: ["v1"]),
        EmulatedResource(
            group: "source.toolkit.fluxcd.io", plural: "gitrepositories", singular: "gitrepository", kind: "GitRepository", versions: ["v1"]
        ),
        EmulatedResource(
            group: "source.toolkit.fluxcd.io", plural: "ocirepositories", singular: "ocirepository", kind: "OCIRepository", versions: ["v1"]
        ),
        EmulatedResource(
            group: "notification.toolkit.fluxcd.io", plural: "providers", singular: "provider", kind: "Provider", versions: ["v1beta3"]),
        EmulatedResource(
            group: "notification.toolkit.fluxcd.io", plural: "alerts", singular: "alert", kind: "Alert", versions: ["v1beta3"]),
        EmulatedResource(group: "", plural: "secrets", singular: "secret", kind: "Secret", versions: ["v1"]),
        EmulatedResource(group: "", plural: "events", singular: "event", kind: "Event", versions: ["v1"]),
    ]

    /// The fields `fieldSelector` may name for this resource, as the API server allows them: every
    /// resource supports `metadata.name` and `metadata.namespace`; core Events add the fields of
    /// `k8s.io/kubernetes pkg/registry/core/event` (`source` is `source.component`).
    public var selectableFields: [String: String] {
        var fields = ["metadata.name": "metadata.name", "metadata.namespace": "metadata.namespace"]
        if group.isEmpty && plural == "events" {
            for f in [
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "type",
            ] {
                fields[f] = f
            }
            fields["source"] = "source.component"
        }
        return fields
    }

    /// The catalog entry for a kind.
    public static func forKind(_ kind: String) -> EmulatedResource? { catalog.first { $0.kind == kind } }

    /// The catalog entry for a group and plural.
    public static func forPath(group: String, plural: String) -> EmulatedResource? {
        catalog.first { $0.group == group && $0.plural == plural }
    }

    /// The API groups in the catalog, core excluded, in catalog order.
    public static var groups: [String] {
        var seen = Set<String>()
        return catalog.map(\.group).filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
