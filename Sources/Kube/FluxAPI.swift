import Foundation

/// Typed reads of Flux objects and Secrets over a `KubeClient`: version discovery, paginated lists
/// with label selectors, and get by name.
public actor FluxAPI {
    /// The client underneath.
    public nonisolated let client: KubeClient
    /// Page size for lists (`limit`).
    public let pageSize: Int
    private var servedVersions: [String: [String]] = [:]

    /// Wraps a client. `pageSize` is the `limit` of each list request.
    public init(client: KubeClient, pageSize: Int = 500) {
        self.client = client
        self.pageSize = pageSize
    }

    /// The versions the server serves for `group` (`/apis/<group>`), cached per run.
    public func servedVersions(of resource: ResourceType) async throws -> [String] {
        if resource.group.isEmpty { return ["v1"] }
        if let cached = servedVersions[resource.group] { return cached }
        struct APIGroup: Decodable {
            struct Version: Decodable { var version: String }
            var versions: [Version]
        }
        let purpose = RequestPurpose(verb: "get", resource: resource, isDiscovery: true)
        let answer = try await client.get("/apis/\(resource.group)", purpose: purpose)
        guard let group = try? JSONDecoder().decode(APIGroup.self, from: Data(answer.body)) else {
            throw KubeError.serverError(
                server: client.connection.server, status: answer.status,
                message: "the answer is not an APIGroup", attempts: 1, request: purpose.summary)
        }
        let versions = group.versions.map(\.version)
        servedVersions[resource.group] = versions
        return versions
    }

    /// The version fluxstamp reads `resource` at: the first understood version the server serves.
    public func version(of resource: ResourceType) async throws -> String {
        let served = try await servedVersions(of: resource)
        guard let version = resource.understoodVersions.first(where: served.contains) else {
            throw KubeError.unsupportedVersions(
                server: client.connection.server, group: resource.group,
                served: served, understood: resource.understoodVersions)
        }
        return version
    }

    /// Lists objects in `namespace` (nil: all namespaces) matching `labelSelector`, following
    /// `continue` tokens. An expired token (410 Gone) restarts the list once. Objects that do not
    /// decode are returned as `invalid` errors instead of failing the list.
    ///
    /// A malformed `labelSelector` throws `KubeError.invalidLabelSelector` before any request.
    /// `fieldSelector` is passed through (`involvedObject.kind=Kustomization` for events).
    public func list<T: KubeObject>(
        _ type: T.Type, _ resource: ResourceType, namespace: String? = nil,
        labelSelector: String? = nil, fieldSelector: String? = nil
    ) async throws -> ListResult<T> {
        if let labelSelector { try Self.validateLabelSelector(labelSelector) }
        let version = try await version(of: resource)
        let path = resource.path(version: version, namespace: namespace)
        let purpose = RequestPurpose(verb: "list", resource: resource, namespace: namespace, version: version)
        var restarted = false
        var result = ListResult<T>(items: [], invalid: [], restarts: 0)
        var token: String?
        while true {
            var query: [(String, String)] = [("limit", String(pageSize))]
            if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
            if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
            if let token { query.append(("continue", token)) }
            let answer = try await client.get(path, query: query, purpose: purpose)
            if answer.status == 410 {
                guard token != nil, !restarted else {
                    throw KubeError.listExpired(server: client.connection.server, resource: resource.description)
                }
                restarted = true
                client.logger.info(
                    "continue token expired (410 Gone); listing again from the start",
                    metadata: [
                        "resource": "\(resource)", "namespace": "\(namespace ?? "*")", "itemsDiscarded": "\(result.items.count)",
                    ])
                result = ListResult<T>(items: [], invalid: [], restarts: 1)
                token = nil
                continue
            }
            let page: Page<T>
            do { page = try JSONDecoder().decode(Page<T>.self, from: Data(answer.body)) } catch {
                throw KubeError.serverError(
                    server: client.connection.server, status: answer.status,
                    message: "the answer is not a Kubernetes list", attempts: 1, request: purpose.summary)
            }
            for item in page.items {
                switch item.result {
                case let .success(object): result.items.append(object)
                case let .failure(error): result.invalid.append(error)
                }
            }
            token = page.metadata?.continue.flatMap { $0.isEmpty ? nil : $0 }
            if token == nil { return result }
        }
    }

    /// Checks a label selector (`-l`) the way the API server parses it, so a typo is a usage error
    /// before any request rather than a 400 from the server. Throws `KubeError.invalidLabelSelector`.
    public static func validateLabelSelector(_ text: String) throws(KubeError) {
        _ = try LabelSelector(parsing: text)
    }

    /// Gets one object by namespace and name.
    public func get<T: KubeObject>(_ type: T.Type, _ resource: ResourceType, namespace: String, name: String) async throws -> T {
        let version = try await version(of: resource)
        let answer = try await client.get(
            resource.path(version: version, namespace: namespace, name: name),
            purpose: RequestPurpose(
                verb: "get", resource: resource, namespace: namespace, name: name,
                version: version))
        do {
            return try JSONDecoder().decode(T.self, from: Data(answer.body))
        } catch let error as DecodingError {
            let (field, reason) = error.fieldAndReason()
            throw KubeError.invalidObject(kind: T.kind, object: "\(namespace)/\(name)", field: field, reason: reason)
        }
    }

    private struct Page<T: KubeObject>: Decodable {
        struct Meta: Decodable { var `continue`: String? }
        var metadata: Meta?
        var items: [LenientItem<T>]

        enum CodingKeys: String, CodingKey { case metadata, items }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            metadata = try c.decodeIfPresent(Meta.self, forKey: .metadata)
            items = try c.decodeIfPresent([LenientItem<T>].self, forKey: .items) ?? []
        }
    }
}

/// The objects a list returned, plus one error per object that could not be decoded.
public struct ListResult<T: KubeObject>: Sendable {
    /// Decoded objects, in server order.
    public var items: [T]
    /// One clear error per undecodable object.
    public var invalid: [KubeError]
    /// How many times the list restarted after an expired continue token (0 or 1).
    public var restarts: Int
}
