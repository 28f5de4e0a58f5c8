import Foundation

/// What a request was about, so an error can name the verb, resource, version and namespace.
public struct RequestPurpose: Sendable {
    /// RBAC verb: `get`, `list`.
    public var verb: String
    /// The resource, when the request is about one.
    public var resource: ResourceType?
    /// The namespace, nil for cluster scope.
    public var namespace: String?
    /// The object name for `get`.
    public var name: String?
    /// The API version requested (`v1`), when known.
    public var version: String?
    /// Whether this is API discovery (`/apis/<group>`), not a read of objects.
    public var isDiscovery: Bool

    /// Creates a purpose.
    public init(
        verb: String, resource: ResourceType? = nil, namespace: String? = nil, name: String? = nil,
        version: String? = nil, isDiscovery: Bool = false
    ) {
        self.verb = verb
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.version = version
        self.isDiscovery = isDiscovery
    }

    /// What was being done, for messages: `listing kustomizations.kustomize.toolkit.fluxcd.io/v1 in
    /// all namespaces`, `reading secrets/v1 flux-system/github-token`, `discovering the versions of
    /// the API group notification.toolkit.fluxcd.io`.
    public var summary: String {
        guard let resource else { return "\(verb) \(name ?? "")".trimmingCharacters(in: .whitespaces) }
        if isDiscovery {
            return resource.group.isEmpty ? "discovering the core API" : "discovering the versions of the API group \(resource.group)"
        }
        let what = resource.description + (version.map { "/\($0)" } ?? "")
        switch verb {
        case "list":
            return "listing \(what) " + (namespace.map { "in namespace \($0)" } ?? "in all namespaces")
        case "get":
            return "reading \(what) " + [namespace, name].compactMap { $0 }.joined(separator: "/")
        default:
            return "\(verb) \(what)"
        }
    }
}
