import Foundation

/// The emulator's objects: loaded from YAML fixtures, changed by tests, listed and read by the API.
///
/// Objects are stored whole as JSON values, keyed by resource, namespace and name, and keep the
/// `apiVersion` they were loaded with (the API rewrites it to the version served). Every change
/// bumps a store-wide resourceVersion, like etcd's revision.
public actor KubeObjectStore {
    /// Identifies one stored object.
    public struct Key: Hashable, Sendable, Comparable {
        /// Resource (`kustomizations.kustomize.toolkit.fluxcd.io`).
        public var resource: String
        /// Namespace.
        public var namespace: String
        /// Name.
        public var name: String
        public static func < (a: Key, b: Key) -> Bool { (a.namespace, a.name) < (b.namespace, b.name) }
    }

    private var objects: [Key: JSONValue] = [:]
    /// The latest resourceVersion handed out.
    public private(set) var revision = 1000

    /// An empty store.
    public init() {}

    /// Adds or replaces every object in a (multi-document) YAML text.
    public func load(yaml: String) throws {
        for document in try JSONValue.documents(fromYAML: yaml) where document != .null {
            try put(document)
        }
    }

    /// Adds or replaces one object. Its kind must be in `EmulatedResource.catalog`; a missing
    /// `metadata.uid` gets a generated one, `resourceVersion` is assigned.
    public func put(_ object: JSONValue) throws {
        guard let kind = object["kind"]?.stringValue, let resource = EmulatedResource.forKind(kind) else {
            throw EmulatorStoreError(message: "object kind \(object["kind"]?.stringValue ?? "<none>") is not emulated")
        }
        guard let name = object.at("metadata.name")?.stringValue else {
            throw EmulatorStoreError(message: "\(kind) without metadata.name")
        }
        let namespace = object.at("metadata.namespace")?.stringValue ?? "default"
        var stored = object
        var metadata = stored["metadata"] ?? .object([:])
        metadata["namespace"] = .string(namespace)
        if metadata["uid"] == nil { metadata["uid"] = .string(UUID().uuidString.lowercased()) }
        revision += 1
        metadata["resourceVersion"] = .string(String(revision))
        if metadata["creationTimestamp"] == nil { metadata["creationTimestamp"] = .string("2026-08-01T09:00:00Z") }
        stored["metadata"] = metadata
        objects[Key(resource: resource.qualifiedName, namespace: namespace, name: name)] = stored
    }

    /// Changes a stored object in place; returns false when it does not exist.
    @discardableResult
    public func update(kind: String, namespace: String, name: String, _ change: @Sendable (inout JSONValue) -> Void) -> Bool {
        guard let resource = EmulatedResource.forKind(kind) else { return false }
        let key = Key(resource: resource.qualifiedName, namespace: namespace, name: name)
        guard var object = objects[key] else { return false }
        change(&object)
        revision += 1
        object["metadata"]?["resourceVersion"] = .string(String(revision))
        objects[key] = object
        return true
    }

    /// Removes an object; returns whether it existed.
    @discardableResult
    public func remove(kind: String, namespace: String, name: String) -> Bool {
        guard let resource = EmulatedResource.forKind(kind) else { return false }
        return objects.removeValue(forKey: Key(resource: resource.qualifiedName, namespace: namespace, name: name)) != nil
    }

    /// Objects of a resource, in one namespace or all, ordered by namespace and name.
    public func list(_ resource: EmulatedResource, namespace: String?) -> [(key: Key, object: JSONValue)] {
        objects.filter { $0.key.resource == resource.qualifiedName && (namespace == nil || $0.key.namespace == namespace) }
            .sorted { $0.key < $1.key }
            .map { ($0.key, $0.value) }
    }

    /// One object.
    public func get(_ resource: EmulatedResource, namespace: String, name: String) -> JSONValue? {
        objects[Key(resource: resource.qualifiedName, namespace: namespace, name: name)]
    }

    /// Every stored object of a kind (for fixture validation).
    public func all(kind: String) -> [JSONValue] {
        guard let resource = EmulatedResource.forKind(kind) else { return [] }
        return list(resource, namespace: nil).map(\.object)
    }
}

/// A fixture or test object the store cannot hold.
public struct EmulatorStoreError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Same as `message`.
    public var description: String { message }
}
